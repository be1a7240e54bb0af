import Logging
import SwitchyardCore
import SwitchyardStore

/// Flow instances: a flow at a connection's instance layer (one per `instanceKey`), with its
/// settings `enabled` and user `parameters`. They are created on demand (the first run of a
/// flow for a connection), by the API, or when a connection is created for an integration
/// whose flow says `autoCreateInstances`. An enabled instance whose trigger is a schedule has a
/// job schedule the orchestrator fires (``scheduleName(_:)``).
package struct FlowInstances: Sendable {
    let records: any RecordStore
    let jobs: any JobStore
    let logger: Logger

    /// Creates the helper.
    package init(records: any RecordStore, jobs: any JobStore, logger: Logger) {
        self.records = records
        self.jobs = jobs
        self.logger = logger
    }

    /// The job schedule of a schedule-triggered instance.
    package static func scheduleName(_ instanceID: String) -> String { "flow-instance:\(instanceID)" }

    /// Whether an instance runs on triggers (`settings.enabled`, true unless set false).
    package static func isEnabled(_ element: Element) -> Bool { element.settings["enabled"] != .bool(false) }

    /// The instance of a flow for a connection, created (enabled, following its parent) when it
    /// does not exist yet.
    /// - Parameter selector: A flow's id (of any layer) or key.
    /// - Throws: `not_found` when no flow has that id or key above the connection's instances,
    ///   `bad_request` when an instance id names another connection's instance.
    package func instance(of selector: String, connection: Record, instanceKey: String?, scope: StoreScope) async throws(SwitchyardError) -> Element {
        var key = selector
        if let record = try? await records.get(.flows, id: selector, scope: scope) {
            let element = Element(record)
            if element.layer == .instance {
                guard element.connectionID == connection.id else {
                    throw SwitchyardError(.badRequest, "flow instance \(selector) belongs to another connection", data: ["connectionId": "is not the instance's connection"])
                }
                guard record.archivedAt == nil else { throw SwitchyardError(.notFound, "flow instance \(selector) is archived") }
                return element
            }
            key = record.key ?? selector
        }
        if let found = try await existing(key: key, connectionID: connection.id, instanceKey: instanceKey, scope: scope) { return found }
        guard let parent = try await parent(key: key, integrationID: connection.parentID, scope: scope) else {
            throw SwitchyardError(.notFound, "flow \(selector) not found for the connection's integration or at the universal layer")
        }
        do {
            return try await create(parent: parent, connection: connection, instanceKey: instanceKey, settings: ["enabled": true], scope: scope)
        } catch where error.key == .alreadyExists {
            // Two first runs at once: the other one created it.
            guard let found = try await existing(key: key, connectionID: connection.id, instanceKey: instanceKey, scope: scope) else { throw error }
            return found
        }
    }

    /// The live instance with a key for a connection, if there is one.
    func existing(key: String, connectionID: String, instanceKey: String?, scope: StoreScope) async throws(SwitchyardError) -> Element? {
        try await ElementLookup.instance(.flows, key: key, connectionID: connectionID, instanceKey: instanceKey, records: records, scope: scope)
    }

    /// The flow an instance with this key follows: the integration's, else the universal one.
    package func parent(key: String, integrationID: String?, scope: StoreScope) async throws(SwitchyardError) -> Record? {
        try await ElementLookup.shared(.flows, key: key, integrationID: integrationID, records: records, scope: scope)
    }

    /// Creates an instance that follows `parent`, and its schedule when it has one.
    /// - Throws: `already_exists` when the connection has one with this key and instance key.
    package func create(
        parent: Record, connection: Record, instanceKey: String?, settings: [String: JSONValue], scope: StoreScope
    ) async throws(SwitchyardError) -> Element {
        let document = Element.document(
            layer: .instance, integrationID: connection.parentID, connectionID: connection.id, instanceKey: instanceKey, isCustomized: false, content: nil,
            settings: settings
        )
        let owner = StoreScope.tenant(connection.tenantID ?? "", in: connection.workspaceID)
        let record = try await records.insert(
            NewRecord(kind: .flows, tenantID: connection.tenantID, key: parent.key, parentID: parent.id, document: document), scope: owner
        )
        let element = Element(record)
        try await syncSchedule(element, scope: owner)
        try await AppEventSubscriptions(records: records).sync(after: element)
        return element
    }

    /// Creates the instances a new connection gets: one of each flow of its integration (or
    /// universal flow without an integration version) whose content says `autoCreateInstances`.
    /// Failures are logged; the connection stands either way.
    package func autoCreate(for connection: Record) async {
        let scope = StoreScope.tenant(connection.tenantID ?? "", in: connection.workspaceID)
        do throws(SwitchyardError) {
            var chosen: [String: Record] = [:]
            var cache: [String: Record] = [:]
            for fields in [["layer": ElementLayer.universal.rawValue], ["layer": ElementLayer.integration.rawValue, "integrationId": connection.parentID ?? ""]] {
                for record in try await records.all(.flows, scope: scope, filter: RecordFilter(documentFields: fields.mapValues { Optional($0) })) {
                    let content = try await Element(record).effective(records: records, scope: scope, cache: &cache).content
                    // The integration's version replaces the universal flow with its key.
                    if let key = record.key { chosen[key] = content["autoCreateInstances"] == .bool(true) ? record : nil }
                }
            }
            for (key, parent) in chosen.sorted(by: { $0.key < $1.key }) where try await existing(key: key, connectionID: connection.id, instanceKey: nil, scope: scope) == nil {
                let instance = try await create(parent: parent, connection: connection, instanceKey: nil, settings: ["enabled": true], scope: scope)
                logger.info("flow instance created with the connection", metadata: ["flow": "\(key)", "instance": "\(instance.record.id)", "connection": "\(connection.id)"])
            }
        } catch {
            logger.error("cannot create the connection's flow instances", metadata: ["connection": "\(connection.id)", "error": "\(error.message)"])
        }
    }

    /// Makes an instance's job schedule match it: saved while it is live, enabled and starts with
    /// a schedule trigger; deleted otherwise.
    /// - Returns: Whether the instance has a schedule now.
    @discardableResult
    package func syncSchedule(_ element: Element, scope: StoreScope) async throws(SwitchyardError) -> Bool {
        let name = Self.scheduleName(element.record.id)
        var cache: [String: Record] = [:]
        let content = try await element.effective(records: records, scope: scope, cache: &cache).content
        guard element.record.archivedAt == nil, Self.isEnabled(element), let schedule = Self.schedule(of: element, content: content, name: name) else {
            _ = try await jobs.deleteSchedule(name)
            return false
        }
        try await jobs.saveSchedule(schedule)
        return true
    }

    /// The job schedule an instance's schedule trigger asks for, or `nil`.
    static func schedule(of element: Element, content: [String: JSONValue], name: String) -> JobSchedule? {
        guard let trigger = try? FlowGraph(content["nodes"]).trigger, trigger.kind == .trigger(.schedule) else { return nil }
        let every = trigger.config["everySeconds"]?.numberValue.map { Int($0) }
        let cron = trigger.config["cron"]?.stringValue
        return JobSchedule(
            name: name, kind: FlowRunRecord.jobKind, queue: .queued,
            args: ["instanceId": .string(element.record.id), "workspaceId": .string(element.record.workspaceID), "tenantId": .string(element.record.tenantID ?? "")],
            everySeconds: every, cron: cron, workspaceID: element.record.workspaceID, tenantID: element.record.tenantID, connectionID: element.connectionID
        )
    }
}
