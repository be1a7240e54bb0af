import Crypto
import Foundation
import Logging
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// Provider webhooks of data collections (`events.webhook`). A live, enabled data source
/// instance whose collection declares them has one subscription (`external_event_subscriptions`):
/// created with the connector's `subscribe` function, which gets the URL to call
/// (`BASE_WEBHOOKS_URI/webhooks/external-events/<id>`) and returns a `state` kept encrypted;
/// renewed with `refresh` every `refreshIntervalSeconds`; removed with `unsubscribe` (best
/// effort, logged) when the instance is disabled or archived or its connection goes. Each
/// delivery is answered here: a challenge is echoed, the signature checked, and `handle` turns
/// the body into record changes, which go through the instance's record index and start flows
/// like a pull's.
package struct ExternalEventSubscriptions: Sendable {
    let records: any RecordStore
    let operations: ConnectionOperations
    let launcher: FlowLauncher
    let index: (any DataRecordIndex)?
    /// `BASE_WEBHOOKS_URI`, without a trailing slash.
    let webhooksBase: String
    let logger: Logger

    /// What a delivery is answered with.
    package struct Answer: Sendable, Equatable {
        /// The HTTP status.
        package var status: Int
        /// A JSON body, or text (a challenge echoed).
        package var body: JSONValue
        /// Whether the body is sent as plain text.
        package var isText: Bool
    }

    /// Creates the service.
    package init(
        records: any RecordStore, operations: ConnectionOperations, launcher: FlowLauncher, index: (any DataRecordIndex)?, webhooksBase: String,
        logger: Logger
    ) {
        self.records = records
        self.operations = operations
        self.launcher = launcher
        self.index = index
        self.webhooksBase = webhooksBase.hasSuffix("/") ? String(webhooksBase.dropLast()) : webhooksBase
        self.logger = logger
    }

    /// The URL a subscription's provider calls.
    package func webhookURI(_ subscriptionID: String) -> String { "\(webhooksBase)/webhooks/external-events/\(subscriptionID)" }

    // MARK: - Lifecycle

    /// Brings an instance's subscription in step with it: subscribes when it should have one and
    /// has none (or the last try failed), refreshes one that is due, unsubscribes when it should
    /// have none. Failures are recorded on the subscription and logged; the instance stands.
    package func sync(_ element: Element) async {
        let scope = StoreScope.tenant(element.record.tenantID ?? "", in: element.record.workspaceID)
        do throws(SwitchyardError) {
            let existing = try await live(instanceID: element.record.id, scope: scope)
            guard element.layer == .instance, element.record.archivedAt == nil, DataSourceInstances.isEnabled(element),
                let connectionID = element.connectionID, try await connectionIsLive(connectionID, scope: scope)
            else {
                for subscription in existing { await unsubscribe(subscription, scope: scope) }
                return
            }
            var cache: [String: Record] = [:]
            let content = try await element.effective(records: records, scope: scope, cache: &cache).content
            guard let key = content["collectionKey"]?.stringValue else { return }
            let session = try await operations.dataCollection(connectionID: connectionID, key: key, scope: scope)
            guard let webhook = session.collection.events?.webhook else {
                for subscription in existing { await unsubscribe(subscription, scope: scope) }
                return
            }
            if let current = existing.first(where: { $0.document["status"] == "subscribed" }) {
                try await refreshIfDue(current, webhook: webhook, session: session, scope: scope)
                return
            }
            for failed in existing { _ = try? await records.archive(.externalEventSubscriptions, id: failed.id, scope: scope) }
            try await subscribe(element, collectionKey: key, parameters: content["collectionParameters"] ?? [:], webhook: webhook, session: session,
                scope: scope)
        } catch {
            logger.warning("cannot bring a data source's webhook subscription in step", metadata: ["instance": "\(element.record.id)",
                "error": "\(error.message)"])
        }
    }

    /// Unsubscribes every subscription of a connection (it is being disconnected or archived).
    package func removeAll(connection: Record) async {
        let scope = StoreScope.tenant(connection.tenantID ?? "", in: connection.workspaceID)
        let filter = RecordFilter(documentFields: ["connectionId": connection.id])
        guard let found = try? await records.all(.externalEventSubscriptions, scope: scope, filter: filter) else { return }
        for subscription in found { await unsubscribe(subscription, scope: scope) }
    }

    private func live(instanceID: String, scope: StoreScope) async throws(SwitchyardError) -> [Record] {
        try await records.all(.externalEventSubscriptions, scope: scope, filter: RecordFilter(documentFields: ["dataSourceInstanceId": instanceID]))
    }

    private func connectionIsLive(_ id: String, scope: StoreScope) async throws(SwitchyardError) -> Bool {
        do {
            return try await records.get(.connections, id: id, scope: scope).archivedAt == nil
        } catch where error.key == .notFound {
            return false
        }
    }

    private func subscribe(
        _ element: Element, collectionKey: String, parameters: JSONValue, webhook: ConnectorDataEvents.Webhook, session: DataCollectionSession,
        scope: StoreScope
    ) async throws(SwitchyardError) {
        let id = Self.newID(workspace: scope.workspaceID)
        var document: [String: JSONValue] = [
            "dataSourceInstanceId": .string(element.record.id), "connectionId": .string(element.connectionID ?? ""),
            "collectionKey": .string(collectionKey), "webhookUri": .string(webhookURI(id)), "status": "subscribing", "events": 0,
        ]
        _ = try await records.insert(
            NewRecord(kind: .externalEventSubscriptions, id: id, tenantID: element.record.tenantID, parentID: element.record.id,
                document: .object(document)),
            scope: scope)
        var secret: JSONValue?
        do throws(SwitchyardError) {
            let output = try await session.run(webhook.subscribe, name: "events.webhook.subscribe", input: ["webhookUri": .string(webhookURI(id)),
                "parameters": parameters])
            secret = ["state": output["state"] ?? output]
            document["status"] = "subscribed"
            document["subscribedAt"] = FlowRunRecord.time(StoreClock.now())
            logger.info("subscribed to provider webhooks", metadata: ["subscription": "\(id)", "instance": "\(element.record.id)"])
        } catch {
            document["status"] = "failed"
            document["error"] = .string(error.message)
            logger.warning("subscribing to provider webhooks failed", metadata: ["subscription": "\(id)", "error": "\(error.message)"])
        }
        let final = document
        let state = secret
        _ = try await records.update(.externalEventSubscriptions, id: id, scope: scope, expectedRevision: nil) { record in
            record.document = .object(final)
            if let state { record.secret = state }
        }
    }

    private func refreshIfDue(
        _ subscription: Record, webhook: ConnectorDataEvents.Webhook, session: DataCollectionSession, scope: StoreScope
    ) async throws(SwitchyardError) {
        guard let refresh = webhook.refresh, let seconds = webhook.refreshIntervalSeconds,
            StoreClock.now() - subscription.updatedAt >= Int64(seconds) * 1_000_000
        else { return }
        do throws(SwitchyardError) {
            let output = try await session.run(refresh, name: "events.webhook.refresh", input: ["state": subscription.secret?["state"] ?? .null])
            let state = output["state"] ?? subscription.secret?["state"] ?? .null
            _ = try await records.update(.externalEventSubscriptions, id: subscription.id, scope: scope, expectedRevision: nil) { record in
                record.secret = ["state": state]
                if case .object(var members) = record.document {
                    members["refreshedAt"] = FlowRunRecord.time(StoreClock.now())
                    members["error"] = nil
                    record.document = .object(members)
                }
            }
        } catch {
            logger.warning("refreshing a provider webhook subscription failed", metadata: ["subscription": "\(subscription.id)",
                "error": "\(error.message)"])
        }
    }

    /// Unsubscribes at the provider (best effort, logged) and archives the subscription.
    private func unsubscribe(_ subscription: Record, scope: StoreScope) async {
        if subscription.document["status"] == "subscribed", let connectionID = subscription.document["connectionId"]?.stringValue,
            let key = subscription.document["collectionKey"]?.stringValue
        {
            do throws(SwitchyardError) {
                let session = try await operations.dataCollection(connectionID: connectionID, key: key, scope: scope)
                if let function = session.collection.events?.webhook?.unsubscribe {
                    _ = try await session.run(function, name: "events.webhook.unsubscribe", input: ["state": subscription.secret?["state"] ?? .null])
                }
                logger.info("unsubscribed from provider webhooks", metadata: ["subscription": "\(subscription.id)"])
            } catch {
                logger.warning("unsubscribing from provider webhooks failed", metadata: ["subscription": "\(subscription.id)",
                    "error": "\(error.message)"])
            }
        }
        do throws(SwitchyardError) {
            _ = try await records.update(.externalEventSubscriptions, id: subscription.id, scope: scope, expectedRevision: nil) { record in
                if case .object(var members) = record.document {
                    members["status"] = "unsubscribed"
                    record.document = .object(members)
                }
                if record.archivedAt == nil { record.archivedAt = StoreClock.now() }
            }
        } catch {
            logger.warning("cannot archive a webhook subscription", metadata: ["subscription": "\(subscription.id)", "error": "\(error.message)"])
        }
    }

    // MARK: - Deliveries

    /// Answers one delivery to `/webhooks/external-events/{subscriptionId}`.
    /// - Throws: `not_found` for an unknown or ended subscription; `not_authenticated` for a
    ///   missing or wrong signature; `bad_request` when `handle` fails. Each is logged; no run starts.
    package func receive(
        subscriptionID: String, body: [UInt8], headers: [String: String], query: [String: String]
    ) async throws(SwitchyardError) -> Answer {
        guard let workspace = Self.workspace(of: subscriptionID) else {
            logger.notice("webhook for an unknown subscription", metadata: ["subscription": "\(subscriptionID.prefix(200))"])
            throw SwitchyardError(.notFound, "no webhook subscription \(subscriptionID.prefix(200))")
        }
        let subscription: Record
        do {
            subscription = try await records.get(.externalEventSubscriptions, id: subscriptionID, scope: .workspace(workspace))
        } catch where error.key == .notFound {
            logger.notice("webhook for an unknown subscription", metadata: ["subscription": "\(subscriptionID.prefix(200))"])
            throw SwitchyardError(.notFound, "no webhook subscription \(subscriptionID.prefix(200))")
        }
        guard subscription.archivedAt == nil, subscription.document["status"] == "subscribed",
            let connectionID = subscription.document["connectionId"]?.stringValue, let key = subscription.document["collectionKey"]?.stringValue,
            let instanceID = subscription.document["dataSourceInstanceId"]?.stringValue
        else {
            logger.notice("webhook for an ended subscription", metadata: ["subscription": "\(subscriptionID)"])
            throw SwitchyardError(.notFound, "webhook subscription \(subscriptionID) has ended")
        }
        let scope = StoreScope.tenant(subscription.tenantID ?? "", in: workspace)
        // An instance disabled or archived without its subscription ending yet hears nothing.
        let instance = try? await records.get(.dataSources, id: instanceID, scope: scope)
        guard let instance, instance.archivedAt == nil, DataSourceInstances.isEnabled(Element(instance)) else {
            logger.notice("webhook for a data source that no longer listens", metadata: ["subscription": "\(subscriptionID)"])
            throw SwitchyardError(.notFound, "webhook subscription \(subscriptionID) has ended")
        }
        let session = try await operations.dataCollection(connectionID: connectionID, key: key, scope: scope)
        guard let webhook = session.collection.events?.webhook else {
            throw SwitchyardError(.notFound, "data collection \(key) no longer declares webhooks")
        }
        let state = subscription.secret?["state"] ?? .null
        if let name = webhook.challengeQuery, let challenge = query[name] {
            return Answer(status: 200, body: .string(challenge), isText: true)
        }
        if let signature = webhook.signature {
            try verify(signature, body: body, headers: headers, state: state, session: session, subscriptionID: subscriptionID)
        }
        let data = (try? JSONValue.parse(String(decoding: body, as: UTF8.self))) ?? .string(String(decoding: body, as: UTF8.self))
        let output: JSONValue
        do {
            output = try await session.run(
                webhook.handle, name: "events.webhook.handle",
                input: ["data": data, "headers": .object(headers.mapValues { .string($0) }), "query": .object(query.mapValues { .string($0) }),
                    "state": state])
        } catch {
            logger.warning("a webhook delivery could not be handled", metadata: ["subscription": "\(subscriptionID)", "error": "\(error.message)"])
            throw SwitchyardError(.badRequest, "the delivery could not be handled: \(error.message)")
        }
        var changes: [DataChange] = []
        var skipped: [String] = []
        for (position, item) in (output["events"]?.arrayValue ?? []).enumerated() {
            switch DataPuller.change(item, reader: session.reader) {
            case .success(let change): changes.append(change)
            case .failure(let error): skipped.append("event \(position + 1): \(error.message)")
            }
        }
        let delivery = UUID().uuidString.lowercased()
        let events = try await DataChangeEvents.prepare(
            records: records, launcher: launcher, logger: logger, connection: session.connection, collectionKey: key,
            origin: ("webhook", "\(subscriptionID)|\(delivery)"), instanceID: instanceID)
        let runs = try await events.deliver(changes)
        if let index {
            let stored = changes.compactMap { change in change.fields.map { IndexedRecord(id: change.recordID, hash: DataRecordHash.of($0)) } }
            try await index.store(stored, source: instanceID, workspaceID: workspace, scanID: nil, now: StoreClock.now())
            try await index.remove(changes.filter { $0.kind == .deleted }.map(\.recordID), source: instanceID)
        }
        let count = changes.count
        _ = try? await records.update(.externalEventSubscriptions, id: subscriptionID, scope: scope, expectedRevision: nil) { record in
            if case .object(var members) = record.document {
                members["events"] = .number((members["events"]?.numberValue ?? 0) + Double(count))
                members["lastEventAt"] = FlowRunRecord.time(StoreClock.now())
                record.document = .object(members)
            }
        }
        if let response = output["response"], response != .null {
            return Answer(status: Int(response["status"]?.numberValue ?? 200), body: response["body"] ?? [:], isText: false)
        }
        var answer: [String: JSONValue] = ["received": .number(Double(count)), "flowRunIds": .array(runs.map { .string($0) })]
        if !skipped.isEmpty { answer["skipped"] = .array(skipped.map { .string($0) }) }
        return Answer(status: 200, body: .object(answer), isText: false)
    }

    private func verify(
        _ signature: ConnectorDataEvents.WebhookSignature, body: [UInt8], headers: [String: String], state: JSONValue,
        session: DataCollectionSession, subscriptionID: String
    ) throws(SwitchyardError) {
        let given = headers[signature.header.lowercased()] ?? ""
        let secret: String
        do {
            var variables = session.loaded.variables.objectValue ?? [:]
            variables["state"] = state
            secret = try Formula.evaluate(signature.secret, variables: .object(variables)).stringValue ?? ""
        } catch {
            throw SwitchyardError(.internal, "the connector's webhook signature secret failed: \(error.message)")
        }
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        let digest = signature.encoding == "base64" ? Data(mac).base64EncodedString() : mac.map { String(format: "%02x", $0) }.joined()
        let expected = Array((signature.prefix + digest).utf8)
        let received = Array(given.utf8)
        // Compared in constant time, so the answer's timing tells nothing about the digest.
        var difference = UInt8(expected.count == received.count ? 0 : 1)
        for (index, byte) in expected.enumerated() { difference |= byte ^ (index < received.count ? received[index] : 0) }
        guard !secret.isEmpty, difference == 0 else {
            logger.warning("webhook delivery refused: bad signature", metadata: ["subscription": "\(subscriptionID)",
                "header": "\(signature.header)"])
            throw SwitchyardError(.notAuthenticated, "the delivery's \(signature.header) signature does not match")
        }
    }

    /// A new subscription id: the workspace (base64url) and a random part, so an unauthenticated
    /// delivery finds its workspace.
    static func newID(workspace: String) -> String {
        let encoded = Data(workspace.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "\(encoded).\(UUID().uuidString.lowercased())"
    }

    /// The workspace a subscription id names.
    static func workspace(of id: String) -> String? {
        guard let dot = id.lastIndex(of: "."), id.count <= 400 else { return nil }
        var text = id[..<dot].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let workspace = String(data: data, encoding: .utf8), !workspace.isEmpty else { return nil }
        return workspace
    }
}
