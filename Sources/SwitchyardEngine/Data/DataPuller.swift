import Logging
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// Runs data source pulls, as queued-worker jobs. A pull reads the collection page by page and
/// saves its cursor and counts after every page, so a pull whose worker dies resumes at the
/// page it was on. Each page's records are compared with the index of what the instance has
/// seen: new and changed ones become events (except on an instance's first pull, which only
/// records), unchanged ones only mark the scan. A full pull that read every page then reports
/// as deleted the records it did not see and nobody wrote since it began; a pull that failed
/// or stopped never does, so no record on a page it did not read is reported deleted.
package struct DataPuller: Sendable {
    let records: any RecordStore
    let jobs: any JobStore
    let index: any DataRecordIndex
    let operations: ConnectionOperations
    let launcher: FlowLauncher
    let instances: DataSourceInstances
    let subscriptions: ExternalEventSubscriptions
    let settings: Settings
    let logger: Logger

    /// Limits of pulls.
    package struct Settings: Sendable {
        /// Most pulls running at once in one workspace (`MAX_RUNNING_PULLS_PER_WORKSPACE`).
        package var runningPerWorkspace = 10
        /// Most pages in a row without records before a pull gives up on the connector.
        package var maxEmptyPages = 100
        /// Ids read per step of the deletions sweep.
        package var sweepBatch = 1000

        /// Default settings.
        package init(runningPerWorkspace: Int = 10) { self.runningPerWorkspace = runningPerWorkspace }
    }

    /// How a pull job ended.
    package enum Outcome: Sendable, Equatable {
        /// The pull completed, or there was nothing to do.
        case done
        /// The workspace is at its cap: try again later.
        case wait(Duration)
        /// The pull failed for good or cannot run (the reason is on the pull, or here).
        case stopped(String)
    }

    /// Creates a puller.
    package init(
        records: any RecordStore, jobs: any JobStore, index: any DataRecordIndex, operations: ConnectionOperations, launcher: FlowLauncher,
        instances: DataSourceInstances, subscriptions: ExternalEventSubscriptions, settings: Settings = .init(), logger: Logger
    ) {
        self.subscriptions = subscriptions
        self.records = records
        self.jobs = jobs
        self.index = index
        self.operations = operations
        self.launcher = launcher
        self.instances = instances
        self.settings = settings
        self.logger = logger
    }

    /// A schedule tick: queues the instance's pull of that mode and brings its webhook
    /// subscription in step (subscribing again after a failure, refreshing when due), unless the
    /// instance is gone or disabled, whose schedules are then removed and subscriptions ended.
    package func tick(_ args: JSONValue) async throws(SwitchyardError) {
        guard let (element, mode, _) = try await instance(args) else {
            if let id = args["instanceId"]?.stringValue, let workspace = args["workspaceId"]?.stringValue {
                for mode in DataSourcePull.Mode.allCases { _ = try await jobs.deleteSchedule(DataSourceInstances.scheduleName(id, mode)) }
                let scope = StoreScope.tenant(args["tenantId"]?.stringValue ?? "", in: workspace)
                if let record = try? await records.get(.dataSources, id: id, scope: scope) { await subscriptions.sync(Element(record)) }
            }
            return
        }
        await subscriptions.sync(element)
        try await instances.queuePull(element, mode: mode)
    }

    /// Runs (or resumes) the pull of a job.
    /// - Throws: Errors worth another attempt (the API unavailable, timing out, rate limiting);
    ///   the pull keeps its cursor and the error for the next attempt, and fails on the last.
    package func pull(job: Job) async throws(SwitchyardError) -> Outcome {
        guard let (element, mode, scope) = try await instance(job.args) else { return .stopped("the data source instance is gone or disabled") }
        guard try await workspaceHasRoom(job) else { return .wait(.seconds(5)) }
        let pullID = DataSourceInstances.pullID(jobID: job.id)
        var cache: [String: Record] = [:]
        let content = try await element.effective(records: records, scope: scope, cache: &cache).content
        let connectionID = element.connectionID ?? ""
        let session: DataCollectionSession
        do throws(SwitchyardError) {
            guard let key = content["collectionKey"]?.stringValue else {
                throw SwitchyardError(.badRequest, "data source \(element.record.key ?? element.record.id) has no collectionKey")
            }
            session = try await operations.dataCollection(connectionID: connectionID, key: key, scope: scope)
        } catch where error.key == .notFound || error.key == .badRequest || error.key == .conflict {
            var pull = try await startedPull(pullID, element: element, mode: mode, collectionKey: content["collectionKey"]?.stringValue ?? "",
                scope: scope)
            return try await fail(&pull, error.message, scope: scope)
        }
        var pull = try await startedPull(pullID, element: element, mode: mode, collectionKey: session.collection.key, scope: scope)
        guard pull.status == .running else { return .done }
        let parameters = content["collectionParameters"] ?? [:]
        do throws(SwitchyardError) {
            let events = try await DataChangeEvents.prepare(
                records: records, launcher: launcher, logger: logger, connection: session.connection, collectionKey: session.collection.key,
                origin: ("pull", pullID), instanceID: element.record.id)
            if mode == .incremental, let custom = session.collection.events?.pull, session.collection.events?.pullLatestRecords == nil {
                try await customPull(&pull, custom: custom, session: session, parameters: parameters, events: events, scope: scope)
            } else {
                try await readPages(&pull, session: session, parameters: parameters, events: events, scope: scope)
                if mode == .full { try await sweep(&pull, events: events, scope: scope) }
            }
        } catch where [.unavailable, .timeout, .rateLimitExceeded].contains(error.key) && job.attempt < job.maxAttempts {
            pull.error = "\(error.message) (attempt \(job.attempt) of \(job.maxAttempts); the pull resumes at its cursor)"
            try await save(pull, scope: scope)
            throw error
        } catch {
            return try await fail(&pull, error.message, scope: scope)
        }
        pull.status = .completed
        pull.error = nil
        pull.cursor = nil
        pull.finishedAt = StoreClock.now()
        try await save(pull, scope: scope)
        logger.info(
            "data source pull completed",
            metadata: [
                "pull": "\(pull.id)", "mode": "\(mode.rawValue)", "records": "\(pull.recordsSeen)", "created": "\(pull.created)",
                "updated": "\(pull.updated)", "deleted": "\(pull.deleted)", "skipped": "\(pull.skipped)",
            ])
        return .done
    }

    // MARK: - Reading

    private func readPages(
        _ pull: inout DataSourcePull, session: DataCollectionSession, parameters: JSONValue, events: DataChangeEvents, scope: StoreScope
    ) async throws(SwitchyardError) {
        guard !pull.sweeping else { return }
        guard session.supports(.list) else {
            throw SwitchyardError(.notSupported, "data collection \(session.collection.key) has no list method, so it cannot be pulled")
        }
        let latest = session.collection.events?.pullLatestRecords
        if pull.mode == .incremental, latest == nil {
            throw SwitchyardError(.notSupported,
                "data collection \(session.collection.key) declares no pull-latest-records or pull event, so it has no incremental pulls")
        }
        let resumesFromCursor = pull.mode == .incremental && latest?.resumeFromCursor == true
        var cursor = pull.cursor ?? (resumesFromCursor && pull.pages == 0 ? pull.since?.stringValue : nil)
        let since = pull.mode == .incremental && !resumesFromCursor ? pull.since : nil
        var cursors = Set<String>()
        var empty = 0
        while true {
            try Task.checkCancellation(or: "the pull was stopped")
            let page = try await session.list(cursor: cursor, since: since, parameters: parameters)
            if let next = page.cursor {
                if next == cursor || !cursors.insert(next).inserted {
                    throw SwitchyardError(.badRequest,
                        "the connector returned the cursor \(next.prefix(200)) again; the pull stopped rather than loop")
                }
            }
            empty = page.records.isEmpty ? empty + 1 : 0
            if empty >= settings.maxEmptyPages, page.cursor != nil {
                throw SwitchyardError(.badRequest,
                    "the connector returned \(empty) pages in a row without records; the pull stopped rather than loop")
            }
            try await absorb(page, into: &pull, events: events, scope: scope)
            pull.cursor = page.cursor
            if resumesFromCursor, let next = page.cursor { pull.newest = .string(next) }
            try await save(pull, scope: scope)
            guard let next = page.cursor else { break }
            cursor = next
        }
        if pull.mode == .incremental, pull.newest == nil { pull.newest = pull.since }
    }

    /// Compares a page with the index, reports its changes, and stores it.
    private func absorb(_ page: DataPage, into pull: inout DataSourcePull, events: DataChangeEvents,
        scope: StoreScope) async throws(SwitchyardError) {
        for skipped in page.skipped { pull.skip("page \(pull.pages + 1), record \(skipped.index + 1): \(skipped.reason)") }
        // A record that is there but cannot be used is not gone: a full scan marks it seen.
        if pull.mode == .full { try await index.mark(page.skipped.compactMap(\.id), source: pull.instanceID, scanID: pull.id) }
        let entries = page.records.map { IndexedRecord(id: $0.id, hash: DataRecordHash.of($0.fields)) }
        // A baseline reports nothing, so it need not ask what the index knows: every record is
        // stored, and one read a page is saved (the first sync of a large collection halves).
        let changes =
            pull.baseline ? [IndexedChange](repeating: .created, count: entries.count) : try await index.compare(entries, source: pull.instanceID)
        var reported: [DataChange] = []
        for (record, change) in zip(page.records, changes) {
            switch change {
            case .created where pull.baseline:
                break
            case .created:
                pull.created += 1
                reported.append(DataChange(kind: .created, recordID: record.id, fields: record.fields))
            case .updated:
                pull.updated += 1
                reported.append(DataChange(kind: .updated, recordID: record.id, fields: record.fields))
            case .unchanged:
                break
            }
            if let value = record.updated, Self.isNewer(value, than: pull.newest) { pull.newest = value }
        }
        if !pull.baseline { note(try await events.deliver(reported), on: &pull) }
        try await index.store(
            entries, source: pull.instanceID, workspaceID: scope.workspaceID, scanID: pull.mode == .full ? pull.id : nil, now: StoreClock.now())
        pull.pages += 1
        pull.recordsSeen += page.records.count
    }

    /// After a full pull read every page: the records it did not see, that nobody wrote since it
    /// began, are deleted at the source.
    private func sweep(_ pull: inout DataSourcePull, events: DataChangeEvents, scope: StoreScope) async throws(SwitchyardError) {
        if !pull.sweeping {
            pull.sweeping = true
            try await save(pull, scope: scope)
        }
        while true {
            let gone = try await index.unseen(
                source: pull.instanceID, scanID: pull.id, since: pull.scanStartedAt, after: pull.sweptAfter, limit: settings.sweepBatch)
            guard !gone.isEmpty else { break }
            if !pull.baseline { note(try await events.deliver(gone.map { DataChange(kind: .deleted, recordID: $0, fields: nil) }), on: &pull) }
            try await index.remove(gone, source: pull.instanceID)
            pull.deleted += gone.count
            pull.sweptAfter = gone.last
            try await save(pull, scope: scope)
            if gone.count < settings.sweepBatch { break }
        }
    }

    /// An incremental pull through the collection's own `pull` function: `{state, parameters}`
    /// in, `{events: [{type, record | id}], state, hasMore}` out, until `hasMore` is not true.
    private func customPull(
        _ pull: inout DataSourcePull, custom: ConnectorFunction, session: DataCollectionSession, parameters: JSONValue,
        events: DataChangeEvents, scope: StoreScope
    ) async throws(SwitchyardError) {
        var state = pull.newest ?? pull.since ?? .null
        var states = Set<String>()
        while true {
            try Task.checkCancellation(or: "the pull was stopped")
            let output = try await session.run(custom, name: "events.pull", input: ["state": state, "parameters": parameters])
            guard case .array(let items)? = output["events"] else {
                throw SwitchyardError(.badRequest,
                    "data collection \(session.collection.key): events.pull must return {events: [...], state, hasMore}")
            }
            var changes: [DataChange] = []
            var stored: [IndexedRecord] = []
            var removed: [String] = []
            for (position, item) in items.enumerated() {
                switch Self.change(item, reader: session.reader) {
                case .success(let change):
                    changes.append(change)
                    if let fields = change.fields { stored.append(IndexedRecord(id: change.recordID,
                        hash: DataRecordHash.of(fields))) } else { removed.append(change.recordID) }
                case .failure(let error):
                    pull.skip("call \(pull.pages + 1), event \(position + 1): \(error.message)")
                }
            }
            if !pull.baseline { note(try await events.deliver(changes), on: &pull) }
            try await index.store(stored, source: pull.instanceID, workspaceID: scope.workspaceID, scanID: nil, now: StoreClock.now())
            try await index.remove(removed, source: pull.instanceID)
            pull.created += changes.filter { $0.kind == .created }.count
            pull.updated += changes.filter { $0.kind == .updated }.count
            pull.deleted += removed.count
            pull.recordsSeen += changes.count
            pull.pages += 1
            let next = output["state"] ?? .null
            pull.newest = next
            try await save(pull, scope: scope)
            guard output["hasMore"] == .bool(true) else { break }
            guard next != state, states.insert(next.jsonText).inserted else {
                throw SwitchyardError(.badRequest, "events.pull returned hasMore with a state it returned before; the pull stopped rather than loop")
            }
            state = next
        }
    }

    /// One event of a custom pull.
    static func change(_ item: JSONValue, reader: DataRecordReader) -> Result<DataChange, SwitchyardError> {
        guard let type = item["type"]?.stringValue,
            let kind = DataChange.Kind(rawValue: "data-record-\(type)") ?? DataChange.Kind(rawValue: type)
        else {
            return .failure(SwitchyardError(.badRequest, "an event needs type created, updated or deleted"))
        }
        if kind == .deleted {
            guard let id = item["id"]?.stringValue ?? item["record"]?[reader.collection.idField]?.stringValue
                ?? item["id"]?.numberValue.map(DataRecordReader.text)
            else {
                return .failure(SwitchyardError(.badRequest, "a deleted event needs the record's id"))
            }
            return .success(DataChange(kind: .deleted, recordID: id, fields: nil))
        }
        guard let record = item["record"] else { return .failure(SwitchyardError(.badRequest, "a \(type) event needs its record")) }
        return reader.record(record).map { DataChange(kind: kind, recordID: $0.id, fields: $0.fields) }
    }

    // MARK: - Bookkeeping

    /// The live, enabled instance a job names, its mode and its tenant's scope; `nil` when it is
    /// gone, archived, disabled, or its connection is.
    private func instance(_ args: JSONValue) async throws(SwitchyardError) -> (Element, DataSourcePull.Mode, StoreScope)? {
        guard let id = args["instanceId"]?.stringValue, let workspace = args["workspaceId"]?.stringValue,
            let mode = args["mode"]?.stringValue.flatMap(DataSourcePull.Mode.init(rawValue:))
        else {
            throw SwitchyardError(.badRequest, "a data source job needs instanceId, workspaceId and mode")
        }
        let scope = StoreScope.tenant(args["tenantId"]?.stringValue ?? "", in: workspace)
        let element: Element
        do {
            element = Element(try await records.get(.dataSources, id: id, scope: scope))
        } catch where error.key == .notFound {
            return nil
        }
        guard element.layer == .instance, element.record.archivedAt == nil, DataSourceInstances.isEnabled(element),
            let connectionID = element.connectionID
        else {
            return nil
        }
        do {
            let connection = try await records.get(.connections, id: connectionID, scope: scope)
            guard connection.archivedAt == nil else { return nil }
        } catch where error.key == .notFound {
            return nil
        }
        return (element, mode, scope)
    }

    /// Whether the workspace runs fewer pulls than its cap (this one aside).
    private func workspaceHasRoom(_ job: Job) async throws(SwitchyardError) -> Bool {
        guard let workspace = job.workspaceID else { return true }
        let running = try await jobs.jobs(WorkspaceJobQuery(workspaceID: workspace, queue: .queued, states: [.running], limit: 1000))
        return running.filter { $0.kind == DataSourceInstances.pullJobKind && $0.id != job.id }.count < settings.runningPerWorkspace
    }

    /// The job's pull record, created on its first attempt.
    private func startedPull(
        _ id: String, element: Element, mode: DataSourcePull.Mode, collectionKey: String, scope: StoreScope
    ) async throws(SwitchyardError) -> DataSourcePull {
        if let record = try? await records.get(.externalEventPulls, id: id, scope: scope) { return try DataSourcePull(record) }
        let previous = try await latestCompleted(instanceID: element.record.id, mode: nil, scope: scope)
        let since = mode == .incremental ? try await latestCompleted(instanceID: element.record.id, mode: .incremental, scope: scope)?.newest : nil
        let pull = DataSourcePull(
            id: id, instanceID: element.record.id, connectionID: element.connectionID ?? "", collectionKey: collectionKey, mode: mode,
            baseline: previous == nil, since: since, now: StoreClock.now())
        do {
            _ = try await records.insert(
                NewRecord(kind: .externalEventPulls, id: id, tenantID: element.record.tenantID, parentID: element.record.id, document: pull.document),
                scope: scope)
        } catch where error.key == .alreadyExists {
            return try DataSourcePull(try await records.get(.externalEventPulls, id: id, scope: scope))
        }
        return pull
    }

    private func latestCompleted(instanceID: String, mode: DataSourcePull.Mode?, scope: StoreScope) async throws(SwitchyardError) -> DataSourcePull? {
        var fields: [String: String?] = ["dataSourceInstanceId": instanceID, "status": DataSourcePull.Status.completed.rawValue]
        if let mode { fields["mode"] = mode.rawValue }
        let filter = RecordFilter(documentFields: fields, newestFirst: true)
        return try await records.list(.externalEventPulls, scope: scope, filter: filter, limit: 1, cursor: nil).items.first.map(DataSourcePull.init)
    }

    private func fail(_ pull: inout DataSourcePull, _ message: String, scope: StoreScope) async throws(SwitchyardError) -> Outcome {
        pull.status = .failed
        pull.error = message
        pull.finishedAt = StoreClock.now()
        try await save(pull, scope: scope)
        logger.warning("data source pull failed", metadata: ["pull": "\(pull.id)", "instance": "\(pull.instanceID)", "error": "\(message)"])
        return .stopped(message)
    }

    private func save(_ pull: DataSourcePull, scope: StoreScope) async throws(SwitchyardError) {
        let document = pull.document
        _ = try await records.update(.externalEventPulls, id: pull.id, scope: scope, expectedRevision: nil) { $0.document = document }
    }

    private func note(_ runs: [String], on pull: inout DataSourcePull) {
        let room = DataSourcePull.maxRunIDs - pull.flowRunIDs.count
        if room > 0 { pull.flowRunIDs += runs.prefix(room) }
    }

    /// Whether an updated value is newer: numbers by value, text by order (ISO 8601 times sort).
    static func isNewer(_ value: JSONValue, than current: JSONValue?) -> Bool {
        guard let current else { return value != .null }
        switch (value, current) {
        case (.number(let a), .number(let b)): return a > b
        case (.string(let a), .string(let b)): return a > b
        default: return false
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// Throws `unavailable` with a message when the task was cancelled (its worker is stopping).
    static func checkCancellation(or message: String) throws(SwitchyardError) {
        if Task.isCancelled { throw SwitchyardError(.unavailable, message) }
    }
}
