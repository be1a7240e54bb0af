import Logging
import PostgresNIO
import SwitchyardCore

extension PostgresRecordStore: JobStore {
    /// An advisory lock number serializing fair fetches of one queue (running caps hold exactly).
    private static let fairFetchLock: Int64 = 0x5357_4A4F_4253_0001

    // MARK: Enqueue

    package func enqueue(_ jobs: [NewJob], limits: JobLimitSettings?) async throws(SwitchyardError) -> [EnqueueResult] {
        for job in jobs { try job.validate() }
        return try await run { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                try await Self.enqueue(connection, jobs, limits: limits, logger: logger)
            }
        }
    }

    static func enqueue(_ connection: PostgresConnection, _ jobs: [NewJob], limits: JobLimitSettings?, logger: Logger) async throws -> [EnqueueResult] {
        for job in jobs { try job.validate() }
        if let limits { try await checkQueueBounds(connection, jobs, limits: limits, logger: logger) }
        let now = StoreClock.now()
        var results: [EnqueueResult] = []
        results.reserveCapacity(jobs.count)
        // Jobs without unique keys go in multi-row statements; RETURNING keeps VALUES order.
        var index = 0
        while index < jobs.count {
            if jobs[index].uniqueKey == nil {
                var end = index
                while end < jobs.count, jobs[end].uniqueKey == nil, end - index < 500 { end += 1 }
                results += try await insertPlain(connection, jobs[index..<end], now: now, logger: logger).map { .inserted($0) }
                index = end
            } else {
                results.append(try await insertUnique(connection, jobs[index], now: now, logger: logger))
                index += 1
            }
        }
        let queues = Set(zip(jobs, results).compactMap { job, result -> JobQueueName? in
            if case .inserted = result, (job.scheduledAt ?? 0) <= now { return job.queue }
            return nil
        })
        for queue in queues.sorted(by: { $0.rawValue < $1.rawValue }) {
            _ = try await connection.query(query("SELECT pg_notify('sy_jobs', ?)", [.text(queue.rawValue)]), logger: logger).collect()
        }
        return results
    }

    private static func insertPlain(_ connection: PostgresConnection, _ jobs: ArraySlice<NewJob>, now: Int64, logger: Logger) async throws -> [Int64] {
        let row = "(?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)"
        let sql = "INSERT INTO sy_jobs (state, queue, kind, priority, args, max_attempts, workspace_id, tenant_id, connection_id, unique_key, scheduled_us, created_us) VALUES "
            + Array(repeating: row, count: jobs.count).joined(separator: ", ") + " RETURNING id"
        let arguments = jobs.flatMap { JobSQL.insertArguments($0, now: now) }
        var ids: [Int64] = []
        for try await id in try await connection.query(query(sql, arguments), logger: logger).decode(Int.self) { ids.append(Int64(id)) }
        return ids
    }

    private static func insertUnique(_ connection: PostgresConnection, _ job: NewJob, now: Int64, logger: Logger) async throws -> EnqueueResult {
        // A pending twin may finish between the insert and the look-up; then insert again.
        for _ in 0..<3 {
            for try await id in try await connection.query(query(JobSQL.insert(.postgres), JobSQL.insertArguments(job, now: now)), logger: logger).decode(Int.self) {
                return .inserted(Int64(id))
            }
            for try await id in try await connection.query(query(JobSQL.existingUnique, [.text(job.kind), .text(job.uniqueKey)]), logger: logger).decode(Int.self) {
                return .duplicate(Int64(id))
            }
        }
        throw SwitchyardError(.conflict, "job \(job.kind) with unique key \(job.uniqueKey ?? "") kept changing; retry", retryAfterSeconds: 1)
    }

    private static func checkQueueBounds(_ connection: PostgresConnection, _ jobs: [NewJob], limits: JobLimitSettings, logger: Logger) async throws {
        let bounded = jobs.filter { $0.queue == .queued && !($0.connectionID ?? "").isEmpty }
        guard !bounded.isEmpty else { return }
        let table = try await limitTable(connection, workspaces: Set(bounded.map { $0.workspaceID ?? "" }), settings: limits, logger: logger)
        var adding: [String: (count: Int, job: NewJob)] = [:]
        for job in bounded { adding[job.connectionID!, default: (0, job)].count += 1 }
        for (connectionID, entry) in adding.sorted(by: { $0.key < $1.key }) {
            guard let bound = table.effective(workspaceID: entry.job.workspaceID ?? "", tenantID: entry.job.tenantID ?? "").queuePerConnection else { continue }
            // Enqueuers of one connection take turns, so the bound is exact.
            _ = try await connection.query(query("SELECT pg_advisory_xact_lock(hashtextextended(?, 7))", [.text("sy_jobs_queue:" + connectionID)]), logger: logger).collect()
            var waiting = 0
            for try await count in try await connection.query(query(JobSQL.waitingOnConnection, [.text(connectionID)]), logger: logger).decode(Int.self) { waiting = count }
            if waiting + entry.count > bound { throw JobDecoding.queueFull(connectionID, bound: bound) }
        }
    }

    private static func limitTable(_ connection: PostgresConnection, workspaces: Set<String>, settings: JobLimitSettings, logger: Logger) async throws -> JobLimitTable {
        var rows: [String: [String: JobLimits]] = [:]
        let ids = workspaces.sorted()
        let stream = try await connection.query(query(JobSQL.limitRows(count: ids.count), ids.map { .text($0) }), logger: logger)
            .decode((String, String, Int?, Int?, Int?).self)
        for try await (workspace, tenant, connectionCap, tenantCap, queueCap) in stream {
            rows[workspace, default: [:]][tenant] = JobLimits(runningPerConnection: connectionCap, runningPerTenant: tenantCap, queuePerConnection: queueCap)
        }
        return JobLimitTable(rows: rows, settings: settings)
    }

    // MARK: Fetch

    package func fetch(queue: JobQueueName, worker: String, limit: Int, lease: Duration, limits: JobLimitSettings?) async throws(SwitchyardError) -> [Job] {
        let now = StoreClock.now()
        let expires = now + lease.microseconds
        guard let limits, queue == .queued else {
            return try await run { client, logger in
                let sql = Self.query(JobSQL.fetchFIFO(.postgres), [.text(queue.rawValue), .int(Int64(limit)), .int(now), .text(worker), .int(expires)])
                return try await Self.jobs(try await client.query(sql, logger: logger)).sorted { ($0.priority, $0.scheduledAt, $0.id) < ($1.priority, $1.scheduledAt, $1.id) }
            }
        }
        return try await run { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                _ = try await connection.query(Self.query("SELECT pg_advisory_xact_lock(?)", [.int(Self.fairFetchLock)]), logger: logger).collect()
                var running: [String: [String: Int]] = [:]
                for try await (tenant, connectionID, count) in try await connection.query(Self.query(JobSQL.runningGroups, [.text(queue.rawValue)]), logger: logger)
                    .decode((String, String, Int).self)
                {
                    running[tenant, default: [:]][connectionID] = count
                }
                var heads: [FairSelection.Head] = []
                var binds = PostgresBindings()
                binds.append(10_000)
                for try await (id, workspace, tenant, connectionID, priority, scheduled) in try await connection.query(
                    PostgresQuery(unsafeSQL: JobSQL.pairHeadsPostgres, binds: binds), logger: logger
                ).decode((Int, String, String, String, Int, Int).self) {
                    heads.append(.init(id: Int64(id), workspaceID: workspace, tenantID: tenant, connectionID: connectionID, priority: priority, scheduledAt: Int64(scheduled)))
                }
                guard !heads.isEmpty else { return [] }
                let tenants = Array(Set(heads.map(\.tenantID))).sorted()
                var turns: [String: Int64] = [:]
                for try await (tenant, served) in try await connection.query(
                    Self.query(JobSQL.turns(count: tenants.count), [.text(queue.rawValue)] + tenants.map { .text($0) }), logger: logger
                ).decode((String, Int).self) {
                    turns[tenant] = Int64(served)
                }
                let table = try await Self.limitTable(connection, workspaces: Set(heads.map(\.workspaceID)), settings: limits, logger: logger)
                var selection = FairSelection(running: running, turns: turns, limits: table)
                let chosen = selection.choose(from: heads, count: limit, now: now)
                guard !chosen.isEmpty else { return [] }
                for head in chosen {
                    _ = try await connection.query(Self.query(JobSQL.recordTurn, [.text(queue.rawValue), .text(head.tenantID), .int(selection.turns[head.tenantID] ?? now)]), logger: logger).collect()
                }
                let started = try await Self.jobs(try await connection.query(
                    Self.query(JobSQL.start(.postgres, count: chosen.count), [.int(now), .text(worker), .int(expires)] + chosen.map { .int($0.id) }), logger: logger
                ))
                let order = Dictionary(uniqueKeysWithValues: chosen.enumerated().map { ($1.id, $0) })
                return started.sorted { (order[$0.id] ?? 0) < (order[$1.id] ?? 0) }
            }
        }
    }

    // MARK: Finishing attempts

    package func heartbeat(_ ids: [Int64], worker: String, lease: Duration) async throws(SwitchyardError) -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        let expires = StoreClock.now() + lease.microseconds
        return try await run { client, logger in
            var held = Set<Int64>()
            let sql = Self.query(JobSQL.heartbeat(count: ids.count), [.int(expires), .text(worker)] + ids.map { .int($0) })
            for try await id in try await client.query(sql, logger: logger).decode(Int.self) { held.insert(Int64(id)) }
            return held
        }
    }

    package func complete(_ ids: [Int64], worker: String) async throws(SwitchyardError) -> Int {
        guard !ids.isEmpty else { return 0 }
        return try await run { client, logger in
            let sql = Self.query(JobSQL.complete(count: ids.count), [.int(StoreClock.now()), .text(worker)] + ids.map { .int($0) })
            return try await client.query(sql, logger: logger).collect().count
        }
    }

    package func fail(_ id: Int64, worker: String, error: String, retryAt: Int64, discard: Bool) async throws(SwitchyardError) -> JobState? {
        let now = StoreClock.now()
        return try await run { client, logger in
            let sql = Self.query(
                JobSQL.fail(.postgres), [.int(now), .text(error), .int(discard ? 1 : 0), .int(retryAt), .int(discard ? 1 : 0), .int(now), .int(id), .text(worker)]
            )
            for try await state in try await client.query(sql, logger: logger).decode(String.self) { return JobState(rawValue: state) }
            return nil
        }
    }

    package func snooze(_ id: Int64, worker: String, until: Int64) async throws(SwitchyardError) -> Bool {
        let now = StoreClock.now()
        let snoozed = try await run { client, logger in
            try await client.query(Self.query(JobSQL.snooze, [.int(until), .int(now), .int(until), .int(id), .text(worker)]), logger: logger).collect().count > 0
        }
        return snoozed
    }

    package func cancel(_ id: Int64, worker: String?, reason: String) async throws(SwitchyardError) -> Job? {
        let now = StoreClock.now()
        return try await run { client, logger in
            var arguments: [SQLArgument] = [.int(now), .int(now), .text(reason), .int(id)]
            if let worker { arguments.append(.text(worker)) }
            return try await Self.jobs(try await client.query(Self.query(JobSQL.cancel(.postgres, byWorker: worker != nil), arguments), logger: logger)).first
        }
    }

    package func release(_ ids: [Int64], worker: String) async throws(SwitchyardError) {
        guard !ids.isEmpty else { return }
        try await run { client, logger in
            _ = try await client.query(Self.query(JobSQL.release(count: ids.count), [.text(worker)] + ids.map { .int($0) }), logger: logger).collect()
            _ = try await client.query("SELECT pg_notify('sy_jobs', 'instant'), pg_notify('sy_jobs', 'queued')", logger: logger).collect()
        }
    }

    // MARK: Maintenance

    package func promoteDue(now: Int64, limit: Int) async throws(SwitchyardError) -> Int {
        try await moveAndNotify(Self.query(JobSQL.promoteDue(.postgres), [.int(now), .int(Int64(limit))]))
    }

    package func rescueExpired(now: Int64, limit: Int) async throws(SwitchyardError) -> Int {
        let error = "the worker stopped renewing its lease (it stopped or lost the database); the job was taken back"
        return try await moveAndNotify(Self.query(JobSQL.rescue(.postgres), [.int(now), .text(error), .int(now), .int(now), .int(now), .int(Int64(limit))]))
    }

    /// Runs a statement returning the queues of jobs it made available, and wakes those queues.
    private func moveAndNotify(_ statement: PostgresQuery) async throws(SwitchyardError) -> Int {
        try await run { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                var queues: [String: Int] = [:]
                for try await queue in try await connection.query(statement, logger: logger).decode(String.self) { queues[queue, default: 0] += 1 }
                for queue in queues.keys.sorted() {
                    _ = try await connection.query(Self.query("SELECT pg_notify('sy_jobs', ?)", [.text(queue)]), logger: logger).collect()
                }
                return queues.values.reduce(0, +)
            }
        }
    }

    package func deleteFinished(before: [JobState: Int64], limit: Int) async throws(SwitchyardError) -> Int {
        try await run { client, logger in
            var deleted = 0
            for (state, time) in before.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where JobState.finished.contains(state) {
                let rows = try await client.query(Self.query(JobSQL.deleteFinished + " RETURNING 1", [.text(state.rawValue), .int(time), .int(Int64(limit))]), logger: logger)
                deleted += try await rows.collect().count
            }
            return deleted
        }
    }

    // MARK: Operators

    package func job(_ id: Int64) async throws(SwitchyardError) -> Job {
        let found = try await run { client, logger in try await Self.jobs(try await client.query(Self.query(JobSQL.byID(.postgres), [.int(id)]), logger: logger)).first }
        guard let found else { throw SwitchyardError(.notFound, "job \(id) not found") }
        return found
    }

    package func jobs(states: [JobState], limit: Int, afterID: Int64?) async throws(SwitchyardError) -> [Job] {
        try JobDecoding.checkLimit(limit)
        let states = states.isEmpty ? JobState.allCases : states
        return try await run { client, logger in
            let sql = Self.query(JobSQL.list(.postgres, states: states.count), states.map { .text($0.rawValue) } + [.int(afterID ?? 0), .int(Int64(limit))])
            return try await Self.jobs(try await client.query(sql, logger: logger))
        }
    }

    package func retry(_ id: Int64) async throws(SwitchyardError) -> Job {
        let retried = try await run { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                let jobs = try await Self.jobs(try await connection.query(Self.query(JobSQL.retry(.postgres), [.int(StoreClock.now()), .int(id)]), logger: logger))
                if let job = jobs.first {
                    _ = try await connection.query(Self.query("SELECT pg_notify('sy_jobs', ?)", [.text(job.queue.rawValue)]), logger: logger).collect()
                }
                return jobs.first
            }
        }
        if let retried { return retried }
        let existing = try await job(id)
        throw SwitchyardError(.conflict, "job \(id) is \(existing.state.rawValue); only completed, cancelled or discarded jobs can be retried")
    }

    package func counts(now: Int64) async throws(SwitchyardError) -> JobCounts {
        try await run { client, logger in
            var counts = JobCounts()
            for try await (queue, state, count) in try await client.query(Self.query(JobSQL.counts, []), logger: logger).decode((String, String, Int).self) {
                guard let queue = JobQueueName(rawValue: queue), let state = JobState(rawValue: state) else { continue }
                counts.byState[queue, default: [:]][state] = count
                if state == .available { counts.waiting[queue, default: 0] += count }
            }
            for try await (queue, count) in try await client.query(Self.query(JobSQL.due, [.int(now)]), logger: logger).decode((String, Int).self) {
                guard let queue = JobQueueName(rawValue: queue) else { continue }
                counts.waiting[queue, default: 0] += count
            }
            return counts
        }
    }

    package func requiredQueuedWorkers(limits: JobLimitSettings?) async throws(SwitchyardError) -> Int {
        let counts = try await counts(now: StoreClock.now())
        let running = counts.count(.queued, .running)
        guard let limits else { return running + (counts.waiting[.queued] ?? 0) }
        return try await run { client, logger in
            var groups: [String: [String: Int]] = [:]
            for try await (tenant, connectionID, count) in try await client.query(Self.query(JobSQL.runningGroups, [.text("queued")]), logger: logger)
                .decode((String, String, Int).self)
            {
                groups[tenant, default: [:]][connectionID] = count
            }
            var binds = PostgresBindings()
            binds.append(10_000)
            var heads: [FairSelection.Head] = []
            for try await (id, workspace, tenant, connectionID, priority, scheduled) in try await client.query(
                PostgresQuery(unsafeSQL: JobSQL.pairHeadsPostgres, binds: binds), logger: logger
            ).decode((Int, String, String, String, Int, Int).self) {
                heads.append(.init(id: Int64(id), workspaceID: workspace, tenantID: tenant, connectionID: connectionID, priority: priority, scheduledAt: Int64(scheduled)))
            }
            let table = try await client.withConnection { connection in
                try await Self.limitTable(connection, workspaces: Set(heads.map(\.workspaceID)), settings: limits, logger: logger)
            }
            var selection = FairSelection(running: groups, turns: [:], limits: table)
            return running + selection.choose(from: heads, count: heads.count, now: 0).count
        }
    }

    // MARK: Coordination

    package func acquireLease(_ name: String, holder: String, ttl: Duration) async throws(SwitchyardError) -> Bool {
        let now = StoreClock.now()
        return try await run { client, logger in
            let sql = Self.query(JobSQL.acquireLease, [.text(name), .text(holder), .int(now + ttl.microseconds), .int(now)])
            return try await client.query(sql, logger: logger).collect().count > 0
        }
    }

    package func releaseLease(_ name: String, holder: String) async throws(SwitchyardError) {
        try await run { client, logger in _ = try await client.query(Self.query(JobSQL.releaseLease, [.text(name), .text(holder)]), logger: logger).collect() }
    }

    package func fireTick(schedule: String, tick: Int64, job: NewJob) async throws(SwitchyardError) -> Bool {
        try job.validate()
        return try await run { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                guard try await connection.query(Self.query(JobSQL.recordTick, [.int(tick), .text(schedule), .int(tick)]), logger: logger).collect().count > 0 else { return false }
                _ = try await Self.enqueue(connection, [job], limits: nil, logger: logger)
                return true
            }
        }
    }

    package func lastTick(schedule: String) async throws(SwitchyardError) -> Int64? {
        try await run { client, logger in
            for try await tick in try await client.query(Self.query(JobSQL.lastTick, [.text(schedule)]), logger: logger).decode(Int.self) { return Int64(tick) }
            return nil
        }
    }

    package func saveSchedule(_ schedule: JobSchedule) async throws(SwitchyardError) {
        try schedule.validate()
        let definition = JobScheduleCoding.encode(schedule)
        try await run { client, logger in
            _ = try await client.query(Self.query(JobSQL.saveSchedule(.postgres), [.text(schedule.name), .text(definition), .int(StoreClock.now())]), logger: logger).collect()
        }
    }

    package func deleteSchedule(_ name: String) async throws(SwitchyardError) -> Bool {
        try await run { client, logger in try await client.query(Self.query(JobSQL.deleteSchedule, [.text(name)]), logger: logger).collect().count > 0 }
    }

    package func schedules() async throws(SwitchyardError) -> [StoredSchedule] {
        let rows = try await run { client, logger in
            var rows: [(String, String, Int, Int?)] = []
            for try await row in try await client.query(Self.query(JobSQL.schedules(.postgres), []), logger: logger).decode((String, String, Int, Int?).self) { rows.append(row) }
            return rows
        }
        return try rows.map { row throws(SwitchyardError) in
            StoredSchedule(schedule: try JobScheduleCoding.decode(row.1, name: row.0), createdAt: Int64(row.2), lastTick: row.3.map(Int64.init))
        }
    }

    package func recordWorker(_ id: String, queue: JobQueueName, busy: Bool) async throws(SwitchyardError) {
        try await run { client, logger in
            _ = try await client.query(Self.query(JobSQL.recordWorker, [.text(id), .text(queue.rawValue), .int(busy ? 1 : 0), .int(StoreClock.now())]), logger: logger).collect()
        }
    }

    package func removeWorker(_ id: String) async throws(SwitchyardError) {
        try await run { client, logger in _ = try await client.query(Self.query(JobSQL.removeWorker, [.text(id)]), logger: logger).collect() }
    }

    package func liveWorkers(queue: JobQueueName, since: Int64) async throws(SwitchyardError) -> Int {
        try await run { client, logger in
            for try await count in try await client.query(Self.query(JobSQL.liveWorkers, [.text(queue.rawValue), .int(since)]), logger: logger).decode(Int.self) { return count }
            return 0
        }
    }

    package func setLimits(_ limits: JobLimits, workspaceID: String, tenantID: String?) async throws(SwitchyardError) {
        try await run { client, logger in
            let sql = limits.isEmpty
                ? Self.query(JobSQL.clearLimits, [.text(workspaceID), .text(tenantID ?? "")])
                : Self.query(JobSQL.setLimits, [
                    .text(workspaceID), .text(tenantID ?? ""), .int(limits.runningPerConnection.map(Int64.init)),
                    .int(limits.runningPerTenant.map(Int64.init)), .int(limits.queuePerConnection.map(Int64.init)),
                ])
            _ = try await client.query(sql, logger: logger).collect()
        }
    }

    package func limits(workspaceID: String, tenantID: String?) async throws(SwitchyardError) -> JobLimits {
        try await run { client, logger in
            let sql = Self.query(JobSQL.getLimits, [.text(workspaceID), .text(tenantID ?? "")])
            for try await (connectionCap, tenantCap, queueCap) in try await client.query(sql, logger: logger).decode((Int?, Int?, Int?).self) {
                return JobLimits(runningPerConnection: connectionCap, runningPerTenant: tenantCap, queuePerConnection: queueCap)
            }
            return JobLimits()
        }
    }

    package func jobs(_ query: WorkspaceJobQuery) async throws(SwitchyardError) -> [Job] {
        try JobDecoding.checkLimit(query.limit)
        return try await run { client, logger in
            try await Self.jobs(try await client.query(Self.query(JobSQL.workspaceList(.postgres, query), query.arguments), logger: logger))
        }
    }

    package func counts(workspaceID: String) async throws(SwitchyardError) -> JobCounts {
        try await run { client, logger in
            var counts = JobCounts()
            let rows = try await client.query(Self.query(JobSQL.workspaceCounts, [.text(workspaceID)]), logger: logger)
                .decode((String, String, Int).self)
            for try await (queue, state, count) in rows {
                guard let queue = JobQueueName(rawValue: queue), let state = JobState(rawValue: state) else { continue }
                counts.byState[queue, default: [:]][state] = count
                if state == .available { counts.waiting[queue, default: 0] += count }
            }
            return counts
        }
    }

    package func workers(since: Int64) async throws(SwitchyardError) -> [WorkerPresence] {
        try await run { client, logger in
            var workers: [WorkerPresence] = []
            let rows = try await client.query(Self.query(JobSQL.workers, [.int(since)]), logger: logger).decode((String, String, Int16, Int64).self)
            for try await (id, queue, busy, seen) in rows {
                guard let queue = JobQueueName(rawValue: queue) else { continue }
                workers.append(WorkerPresence(id: id, queue: queue, busy: busy != 0, seenAt: seen))
            }
            return workers
        }
    }

    package func leases() async throws(SwitchyardError) -> [LeaseHolder] {
        try await run { client, logger in
            var leases: [LeaseHolder] = []
            let rows = try await client.query(Self.query(JobSQL.leases, []), logger: logger).decode((String, String, Int64).self)
            for try await (name, holder, expires) in rows {
                leases.append(LeaseHolder(name: name, holder: holder, expiresAt: expires))
            }
            return leases
        }
    }

    // MARK: Wake-ups

    /// Listens on `sy_jobs` and signals ``wakeups``; reconnects after failures until cancelled.
    func listenForJobs() async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: "sy_jobs") { notifications in
                        delay = .milliseconds(100)
                        // Work may have arrived while no one listened.
                        for queue in JobQueueName.allCases { self.wakeups.signal(queue) }
                        for try await notification in notifications {
                            if let queue = JobQueueName(rawValue: notification.payload) { self.wakeups.signal(queue) }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("job notifications interrupted; reconnecting", metadata: ["error": "\(PostgresErrorDescription.describe(error))"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    // MARK: Helpers

    /// A statement with `?` placeholders numbered for PostgreSQL.
    static func query(_ sql: String, _ arguments: [SQLArgument]) -> PostgresQuery {
        var numbered = ""
        numbered.reserveCapacity(sql.count + 16)
        var index = 0
        for character in sql {
            if character == "?" {
                index += 1
                numbered += "$\(index)"
            } else {
                numbered.append(character)
            }
        }
        var binds = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .text(let value): if let value { binds.append(value) } else { binds.appendNull() }
            case .int(let value): if let value { binds.append(Int(value)) } else { binds.appendNull() }
            }
        }
        return PostgresQuery(unsafeSQL: numbered, binds: binds)
    }

    private static func jobs(_ rows: PostgresRowSequence) async throws -> [Job] {
        var jobs: [Job] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            jobs.append(try JobDecoding.job(.init(
                id: try c[0].decode(Int.self), state: try c[1].decode(String.self), queue: try c[2].decode(String.self), kind: try c[3].decode(String.self),
                priority: try c[4].decode(Int.self), args: try c[5].decode(String.self), errors: try c[6].decode(String?.self),
                attempt: try c[7].decode(Int.self), maxAttempts: try c[8].decode(Int.self), workspaceID: try c[9].decode(String.self),
                tenantID: try c[10].decode(String.self), connectionID: try c[11].decode(String.self), uniqueKey: try c[12].decode(String?.self),
                scheduledAt: try c[13].decode(Int.self), createdAt: try c[14].decode(Int.self), attemptedAt: try c[15].decode(Int?.self),
                finalizedAt: try c[16].decode(Int?.self), attemptedBy: try c[17].decode(String?.self), leaseExpiresAt: try c[18].decode(Int?.self)
            )))
        }
        return jobs
    }
}
