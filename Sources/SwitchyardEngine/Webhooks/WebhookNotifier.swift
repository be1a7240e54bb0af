import Crypto
import Foundation
import Logging
import NIOHTTP1
import SwitchyardCore
import SwitchyardStore

/// Webhook notifications to the SaaS. An event becomes a delivery record (status `pending`) and
/// a job on the instant queue; the job POSTs `{id, event, createdAt, workspaceKey, tenantId,
/// data}` to the workspace's URL, signed `X-Switchyard-Signature: sha256=<hex HMAC-SHA256 of the
/// body with the webhook secret>`, and records every attempt. A failed attempt is retried with
/// exponential backoff (the job snoozes, so its own attempts are not used up); after the last
/// attempt the delivery is `failed`, which is the dead-letter list, replayable through the API.
package struct WebhookNotifier: Sendable {
    /// The job kind of a delivery.
    package static let jobKind = "webhooks.deliver"

    /// Retry settings (`WEBHOOK_MAX_ATTEMPTS`, `WEBHOOK_RETRY_BASE_MS`).
    package struct Retry: Sendable {
        package var maxAttempts: Int
        package var base: Duration
        package var maximum: Duration

        /// Creates retry settings.
        package init(maxAttempts: Int = 8, base: Duration = .seconds(10), maximum: Duration = .seconds(3600)) {
            self.maxAttempts = maxAttempts
            self.base = base
            self.maximum = maximum
        }

        /// The wait after the n-th failed attempt: base × 2^(n-1), capped.
        func delay(after attempt: Int) -> Duration {
            let factor = Double(1 << min(max(attempt - 1, 0), 20))
            let seconds = min(Double(base.components.seconds) + Double(base.components.attoseconds) / 1e18, 1e9) * factor
            return min(.milliseconds(Int64(seconds * 1000)), maximum)
        }
    }

    let records: any RecordStore
    let http: OutboundHTTPClient
    let retry: Retry
    let logger: Logger
    /// Each workspace's settings, read at most once per time to live: every flow run sends
    /// several events, and most workspaces want none of them.
    private let cache: ExpiringCache<WebhookSettings?>

    /// Creates a notifier.
    /// - Parameter settingsTimeToLive: How long settings read from the store are used before
    ///   they are read again (another process's change shows within this).
    package init(records: any RecordStore, http: OutboundHTTPClient, retry: Retry, settingsTimeToLive: Duration = .seconds(2), logger: Logger) {
        self.records = records
        self.http = http
        self.retry = retry
        self.logger = logger
        cache = ExpiringCache(timeToLive: settingsTimeToLive)
    }

    /// Forgets a workspace's cached settings (this process changed them).
    package func forget(_ workspaceID: String) {
        cache.remove(workspaceID)
    }

    private func settings(_ workspaceID: String) async throws(SwitchyardError) -> WebhookSettings? {
        if let cached = cache.entry(workspaceID) { return cached }
        let settings = try await WebhookSettings.read(workspaceID: workspaceID, records: records)
        cache.store(settings, for: workspaceID)
        return settings
    }

    /// Queues an event for the workspace's webhook, if it has one that wants it. Never throws:
    /// a notification that cannot be queued is logged, and what caused it goes on.
    package func notify(_ event: String, workspaceID: String, tenantID: String?, data: JSONValue) async {
        do throws(SwitchyardError) {
            guard let settings = try await settings(workspaceID), settings.wants(event) else { return }
            let id = UUID().uuidString.lowercased()
            let now = Date()
            var payload: [String: JSONValue] = [
                "id": .string(id), "event": .string(event), "createdAt": .string(ISO8601Time.string(microseconds: Int64(now.timeIntervalSince1970 * 1_000_000))),
                "workspaceKey": .string(workspaceID), "data": data,
            ]
            if let tenantID { payload["tenantId"] = .string(tenantID) }
            // The delivery and its job commit together: no delivery without a job to send it.
            _ = try await records.apply([
                .insert(
                    NewRecord(
                        kind: .webhookDeliveries, id: id, key: nil, parentID: tenantID,
                        document: ["event": .string(event), "status": "pending", "attempts": [], "attemptCount": 0, "payload": .object(payload)]
                    ),
                    scope: .workspace(workspaceID)
                ),
                .enqueue(Self.job(id, workspaceID: workspaceID), limits: nil),
            ])
        } catch {
            logger.warning("could not queue a webhook notification", metadata: ["event": "\(event)", "error": "\(error.message)"])
        }
    }

    /// The job that makes a delivery's next attempt.
    static func job(_ deliveryID: String, workspaceID: String) -> NewJob {
        NewJob(kind: jobKind, queue: .instant, args: ["deliveryId": .string(deliveryID), "workspaceId": .string(workspaceID)], maxAttempts: 3, workspaceID: workspaceID)
    }

    /// How one delivery attempt ended, for the job.
    package enum Outcome: Sendable, Equatable {
        /// Delivered, failed for good, or nothing to do.
        case done(String)
        /// Try again after this long.
        case retry(after: Duration)
    }

    /// Makes one attempt at a delivery.
    package func deliver(_ args: JSONValue) async throws(SwitchyardError) -> Outcome {
        guard let id = args["deliveryId"]?.stringValue, let workspace = args["workspaceId"]?.stringValue else { return .done("malformed job arguments") }
        let scope = StoreScope.workspace(workspace)
        let delivery = try await records.get(.webhookDeliveries, id: id, scope: scope)
        guard delivery.document["status"]?.stringValue == "pending" else { return .done("the delivery is \(delivery.document["status"]?.stringValue ?? "gone")") }
        guard let settings = try await WebhookSettings.read(workspaceID: workspace, records: records) else {
            _ = try await record(id, scope: scope, attempt: ["error": "the workspace has no webhook settings"], status: "failed")
            return .done("the workspace has no webhook settings")
        }
        let body = Array((delivery.document["payload"] ?? [:]).jsonText.utf8)
        let signature = "sha256=" + Self.hex(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(settings.secret.utf8))))
        let headers = HTTPHeaders([
            ("Content-Type", "application/json"), ("X-Switchyard-Event", delivery.document["event"]?.stringValue ?? ""), ("X-Switchyard-Delivery", id),
            ("X-Switchyard-Signature", signature), ("User-Agent", "Switchyard-Webhooks"),
        ])
        let started = ContinuousClock.now
        var attempt: [String: JSONValue] = ["at": .string(ISO8601Time.string(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))), "url": .string(settings.url)]
        var delivered = false
        do throws(SwitchyardError) {
            let response = try await http.send(
                OutboundRequest(method: .POST, url: settings.url, headers: headers, body: body, timeout: .seconds(30), secrets: [settings.secret], tags: ["workspace": workspace, "purpose": "webhook"])
            )
            attempt["status"] = .number(Double(response.status.code))
            delivered = (200..<300).contains(Int(response.status.code))
            if !delivered { attempt["error"] = .string("the webhook answered \(response.status.code)") }
        } catch {
            attempt["error"] = .string(error.message)
        }
        attempt["durationMs"] = .number(Double((ContinuousClock.now - started).wholeMilliseconds))
        let count = Int(delivery.document["attemptCount"]?.numberValue ?? 0) + 1
        if delivered {
            _ = try await record(id, scope: scope, attempt: .object(attempt), status: "delivered")
            return .done("delivered")
        }
        if count >= retry.maxAttempts {
            _ = try await record(id, scope: scope, attempt: .object(attempt), status: "failed")
            logger.warning("webhook delivery failed for good", metadata: ["delivery": "\(id)", "attempts": "\(count)"])
            return .done("failed after \(count) attempts")
        }
        _ = try await record(id, scope: scope, attempt: .object(attempt), status: "pending")
        return .retry(after: retry.delay(after: count))
    }

    /// Appends an attempt (keeping the last 20) and sets the status.
    private func record(_ id: String, scope: StoreScope, attempt: JSONValue, status: String) async throws(SwitchyardError) -> Record {
        try await records.update(.webhookDeliveries, id: id, scope: scope, expectedRevision: nil) { record in
            guard case .object(var document) = record.document else { return }
            var attempts: [JSONValue] = []
            if case .array(let items)? = document["attempts"] { attempts = items }
            attempts.append(attempt)
            document["attempts"] = .array(Array(attempts.suffix(20)))
            document["attemptCount"] = .number((document["attemptCount"]?.numberValue ?? 0) + 1)
            document["status"] = .string(status)
            record.document = .object(document)
        }
    }

    /// Makes a failed delivery pending again and queues it.
    /// - Throws: `conflict` unless the delivery failed (a pending one is already on its way,
    ///   a delivered one arrived).
    package func replay(_ id: String, workspaceID: String) async throws(SwitchyardError) -> Record {
        let scope = StoreScope.workspace(workspaceID)
        let results = try await records.apply([
            .update(.webhookDeliveries, id: id, scope: scope, expectedRevision: nil) { record throws(SwitchyardError) in
                guard case .object(var document) = record.document else { return }
                guard document["status"]?.stringValue == "failed" else {
                    throw SwitchyardError(.conflict, "delivery \(id) is \(document["status"]?.stringValue ?? "unknown"); only failed deliveries are replayed")
                }
                document["status"] = "pending"
                document["attemptCount"] = 0
                record.document = .object(document)
            },
            .enqueue(Self.job(id, workspaceID: workspaceID), limits: nil),
        ])
        guard let updated = results.first ?? nil else { throw SwitchyardError(.internal, "replaying stored nothing") }
        return updated
    }

    static func hex(_ mac: HMAC<SHA256>.MAC) -> String {
        Data(mac).map { String(format: "%02x", $0) }.joined()
    }
}
