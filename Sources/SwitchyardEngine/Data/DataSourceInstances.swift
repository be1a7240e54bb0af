import Logging
import SwitchyardCore
import SwitchyardStore

/// Data source instances: a data source at a connection's instance layer, with its settings
/// (`enabled`, and the pull intervals when the instance sets its own). While an instance is
/// live and enabled it has two job schedules the orchestrator fires — incremental pulls every
/// `pullUpdatesIntervalSeconds` (default 300) and full pulls every `fullSyncIntervalSeconds`
/// (default 10,800) — and each tick queues a pull unless one of that mode is already waiting
/// or running, so an instance has at most one pull of each mode at a time.
package struct DataSourceInstances: Sendable {
    let records: any RecordStore
    let jobs: any JobStore
    let logger: Logger

    /// The job kind of a schedule tick (instant queue: it only queues a pull).
    package static let tickJobKind = "data-sources.tick"
    /// The job kind of a pull (queued queue, with the connection's caps).
    package static let pullJobKind = "data-sources.pull"
    /// The defaults, in seconds.
    package static let defaultPullInterval = 300
    package static let defaultFullInterval = 10_800

    /// Creates the helper.
    package init(records: any RecordStore, jobs: any JobStore, logger: Logger) {
        self.records = records
        self.jobs = jobs
        self.logger = logger
    }

    /// The name of an instance's schedule of one mode.
    package static func scheduleName(_ instanceID: String, _ mode: DataSourcePull.Mode) -> String { "data-source:\(instanceID):\(mode.rawValue)" }

    /// Whether an instance pulls (`settings.enabled`, true unless set false).
    package static func isEnabled(_ element: Element) -> Bool { element.settings["enabled"] != .bool(false) }

    /// An instance's interval of one mode: its own setting, else its content's, else the default.
    package static func interval(_ mode: DataSourcePull.Mode, element: Element, content: [String: JSONValue]) -> Int {
        let name = mode == .incremental ? "pullUpdatesIntervalSeconds" : "fullSyncIntervalSeconds"
        let value = element.settings[name]?.numberValue ?? content[name]?.numberValue
        return value.map { Int($0) } ?? (mode == .incremental ? defaultPullInterval : defaultFullInterval)
    }

    /// The data source an instance with this key follows: the integration's, else the universal one.
    package func parent(key: String, integrationID: String?, scope: StoreScope) async throws(SwitchyardError) -> Record? {
        try await ElementLookup.shared(.dataSources, key: key, integrationID: integrationID, records: records, scope: scope)
    }

    /// Creates an instance that follows `parent`, its schedules, and (when enabled) its first
    /// pull, which records what is there without reporting events.
    /// - Throws: `already_exists` when the connection has one with this key and instance key.
    package func create(
        parent: Record, connection: Record, instanceKey: String?, settings: [String: JSONValue]
    ) async throws(SwitchyardError) -> Element {
        let document = Element.document(
            layer: .instance, integrationID: connection.parentID, connectionID: connection.id, instanceKey: instanceKey, isCustomized: false,
            content: nil, settings: settings)
        let owner = StoreScope.tenant(connection.tenantID ?? "", in: connection.workspaceID)
        if let key = parent.key {
            let existing = try await ElementLookup.instance(
                .dataSources, key: key, connectionID: connection.id, instanceKey: instanceKey, records: records, scope: owner)
            if existing != nil { throw SwitchyardError(.alreadyExists, "the connection already has an instance of data source \(key)") }
        }
        let record = try await records.insert(
            NewRecord(kind: .dataSources, tenantID: connection.tenantID, key: parent.key, parentID: parent.id, document: document), scope: owner)
        let element = Element(record)
        try await syncSchedules(element, scope: owner)
        if Self.isEnabled(element) { _ = try await queuePull(element, mode: .full) }
        return element
    }

    /// Makes an instance's schedules match it: saved while it is live and enabled, deleted otherwise.
    package func syncSchedules(_ element: Element, scope: StoreScope) async throws(SwitchyardError) {
        guard element.record.archivedAt == nil, Self.isEnabled(element) else {
            for mode in DataSourcePull.Mode.allCases { _ = try await jobs.deleteSchedule(Self.scheduleName(element.record.id, mode)) }
            return
        }
        var cache: [String: Record] = [:]
        let content = try await element.effective(records: records, scope: scope, cache: &cache).content
        for mode in DataSourcePull.Mode.allCases {
            let name = Self.scheduleName(element.record.id, mode)
            try await jobs.saveSchedule(
                JobSchedule(
                    name: name, kind: Self.tickJobKind, queue: .instant, args: Self.arguments(element, mode: mode),
                    everySeconds: Self.interval(mode, element: element, content: content), cron: nil,
                    workspaceID: element.record.workspaceID, tenantID: element.record.tenantID, connectionID: element.connectionID))
        }
    }

    /// Queues a pull of an instance unless one of that mode is waiting or running.
    /// - Returns: The pull job's id, and whether it was already queued.
    @discardableResult
    package func queuePull(_ element: Element, mode: DataSourcePull.Mode) async throws(SwitchyardError) -> (jobID: Int64, existing: Bool) {
        let job = NewJob(
            kind: Self.pullJobKind, queue: .queued, args: Self.arguments(element, mode: mode), maxAttempts: 8,
            workspaceID: element.record.workspaceID, tenantID: element.record.tenantID, connectionID: element.connectionID,
            uniqueKey: "data-source-pull:\(element.record.id):\(mode.rawValue)")
        guard let result = try await jobs.enqueue([job], limits: nil).first else { throw SwitchyardError(.internal,
            "queueing the pull returned nothing") }
        switch result {
        case .inserted(let id): return (id, false)
        case .duplicate(let id): return (id, true)
        }
    }

    /// The id of the pull record a pull job writes.
    package static func pullID(jobID: Int64) -> String { "pull-\(jobID)" }

    static func arguments(_ element: Element, mode: DataSourcePull.Mode) -> JSONValue {
        [
            "instanceId": .string(element.record.id), "workspaceId": .string(element.record.workspaceID),
            "tenantId": .string(element.record.tenantID ?? ""), "mode": .string(mode.rawValue),
        ]
    }

    /// The sync status the connect UI shows: the last successful and failed pulls, the one in
    /// progress, and how many records the instance has seen.
    package func status(of element: Element, index: any DataRecordIndex, scope: StoreScope) async throws(SwitchyardError) -> JSONValue {
        func latest(_ status: DataSourcePull.Status) async throws(SwitchyardError) -> DataSourcePull? {
            let filter = RecordFilter(documentFields: ["dataSourceInstanceId": element.record.id, "status": status.rawValue], newestFirst: true)
            return try await records.list(.externalEventPulls, scope: scope, filter: filter, limit: 1,
                cursor: nil).items.first.map(DataSourcePull.init)
        }
        let success = try await latest(.completed)
        let failure = try await latest(.failed)
        let running = try await latest(.running)
        var status: [String: JSONValue] = ["recordsSeen": .number(Double(try await index.count(source: element.record.id)))]
        status["lastSuccess"] = success.map { ["pullId": .string($0.id), "mode": .string($0.mode.rawValue),
            "at": FlowRunRecord.time($0.finishedAt ?? $0.startedAt)] }
        if let failure, failure.startedAt > (success?.startedAt ?? 0) {
            status["lastError"] = ["pullId": .string(failure.id), "message": .string(failure.error ?? "failed"),
                "at": FlowRunRecord.time(failure.finishedAt ?? failure.startedAt)]
        }
        if let running {
            status["inProgress"] = ["pullId": .string(running.id), "mode": .string(running.mode.rawValue),
                "recordsSeen": .number(Double(running.recordsSeen))]
            if let error = running.error { status["lastError"] = ["pullId": .string(running.id), "message": .string(error)] }
        }
        return .object(status)
    }
}
