import GRDB
import SwitchyardCore

extension SQLiteRecordStore: JobStore {
    // MARK: Enqueue

    package func enqueue(_ jobs: [NewJob], limits: JobLimitSettings?) async throws(SwitchyardError) -> [EnqueueResult] {
        for job in jobs { try job.validate() }
        let results = try await run { pool in try await pool.write { db in try Self.enqueue(db, jobs, limits: limits) } }
        for queue in Set(jobs.map(\.queue)) { wakeups.signal(queue) }
        return results
    }

    static func enqueue(_ db: Database, _ jobs: [NewJob], limits: JobLimitSettings?) throws -> [EnqueueResult] {
        for job in jobs { try job.validate() }
        if let limits { try checkQueueBounds(db, jobs, limits: limits) }
        let now = StoreClock.now()
        return try jobs.map { job throws -> EnqueueResult in
            for _ in 0..<3 {
                if let id = try Int64.fetchOne(db, sql: JobSQL.insert(.sqlite), arguments: arguments(JobSQL.insertArguments(job, now: now))) {
                    return .inserted(id)
                }
                if let id = try Int64.fetchOne(db, sql: JobSQL.existingUnique, arguments: [job.kind, job.uniqueKey]) { return .duplicate(id) }
            }
            throw SwitchyardError(.conflict, "job \(job.kind) with unique key \(job.uniqueKey ?? "") kept changing; retry", retryAfterSeconds: 1)
        }
    }

    private static func checkQueueBounds(_ db: Database, _ jobs: [NewJob], limits: JobLimitSettings) throws {
        let bounded = jobs.filter { $0.queue == .queued && !($0.connectionID ?? "").isEmpty }
        guard !bounded.isEmpty else { return }
        let table = try limitTable(db, workspaces: Set(bounded.map { $0.workspaceID ?? "" }), settings: limits)
        var adding: [String: (count: Int, job: NewJob)] = [:]
        for job in bounded { adding[job.connectionID!, default: (0, job)].count += 1 }
        for (connectionID, entry) in adding {
            guard let bound = table.effective(workspaceID: entry.job.workspaceID ?? "", tenantID: entry.job.tenantID ?? "").queuePerConnection else { continue }
            let waiting = try Int.fetchOne(db, sql: JobSQL.waitingOnConnection, arguments: [connectionID]) ?? 0
            if waiting + entry.count > bound { throw JobDecoding.queueFull(connectionID, bound: bound) }
        }
    }

    private static func limitTable(_ db: Database, workspaces: Set<String>, settings: JobLimitSettings) throws -> JobLimitTable {
        var rows: [String: [String: JobLimits]] = [:]
        let ids = workspaces.sorted()
        for row in try Row.fetchAll(db, sql: JobSQL.limitRows(count: ids.count), arguments: StatementArguments(ids)) {
            rows[row[0], default: [:]][row[1]] = JobLimits(runningPerConnection: row[2], runningPerTenant: row[3], queuePerConnection: row[4])
        }
        return JobLimitTable(rows: rows, settings: settings)
    }

    // MARK: Fetch

    package func fetch(queue: JobQueueName, worker: String, limit: Int, lease: Duration, limits: JobLimitSettings?) async throws(SwitchyardError) -> [Job] {
        let now = StoreClock.now()
        let expires = now + lease.microseconds
        return try await run { pool in
            try await pool.write { db in
                guard let limits, queue == .queued else {
                    let arguments = Self.arguments([.text(queue.rawValue), .int(Int64(limit)), .int(now), .text(worker), .int(expires)])
                    return try Self.jobs(db, JobSQL.fetchFIFO(.sqlite), arguments).sorted { ($0.priority, $0.scheduledAt, $0.id) < ($1.priority, $1.scheduledAt, $1.id) }
                }
                var selection = FairSelection(running: try Self.runningGroups(db, queue), turns: [:], limits: JobLimitTable(rows: [:], settings: limits))
                let heads = try Self.pairHeads(db)
                guard !heads.isEmpty else { return [] }
                let tenants = Array(Set(heads.map(\.tenantID))).sorted()
                for row in try Row.fetchAll(db, sql: JobSQL.turns(count: tenants.count), arguments: StatementArguments([queue.rawValue] + tenants)) {
                    selection.turns[row[0]] = row[1]
                }
                selection.limits = try Self.limitTable(db, workspaces: Set(heads.map(\.workspaceID)), settings: limits)
                let chosen = selection.choose(from: heads, count: limit, now: now)
                guard !chosen.isEmpty else { return [] }
                for head in chosen {
                    try db.execute(sql: JobSQL.recordTurn, arguments: [queue.rawValue, head.tenantID, selection.turns[head.tenantID] ?? now])
                }
                let started = try Self.jobs(db, JobSQL.start(.sqlite, count: chosen.count), Self.arguments([.int(now), .text(worker), .int(expires)] + chosen.map { .int($0.id) }))
                let order = Dictionary(uniqueKeysWithValues: chosen.enumerated().map { ($1.id, $0) })
                return started.sorted { (order[$0.id] ?? 0) < (order[$1.id] ?? 0) }
            }
        }
    }

    private static func runningGroups(_ db: Database, _ queue: JobQueueName) throws -> [String: [String: Int]] {
        var running: [String: [String: Int]] = [:]
        for row in try Row.fetchAll(db, sql: JobSQL.runningGroups, arguments: [queue.rawValue]) { running[row[0], default: [:]][row[1]] = row[2] }
        return running
    }

    /// Every (tenant, connection) pair's first available job: a loose index scan, one small
    /// indexed query per pair (cheap in process).
    private static func pairHeads(_ db: Database) throws -> [FairSelection.Head] {
        var heads: [FairSelection.Head] = []
        var pair = try Row.fetchOne(db, sql: JobSQL.firstPair).map { row -> (String, String) in (row[0], row[1]) }
        while let (tenant, connection) = pair, heads.count < 10_000 {
            if let row = try Row.fetchOne(db, sql: JobSQL.pairHead, arguments: [tenant, connection]) {
                heads.append(.init(id: row[0], workspaceID: row[1], tenantID: row[2], connectionID: row[3], priority: row[4], scheduledAt: row[5]))
            }
            pair = try Row.fetchOne(db, sql: JobSQL.nextPair, arguments: [tenant, connection]).map { row -> (String, String) in (row[0], row[1]) }
        }
        return heads
    }

    // MARK: Finishing attempts

    package func heartbeat(_ ids: [Int64], worker: String, lease: Duration) async throws(SwitchyardError) -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        let expires = StoreClock.now() + lease.microseconds
        return try await run { pool in
            try await pool.write { db in
                Set(try Int64.fetchAll(db, sql: JobSQL.heartbeat(count: ids.count), arguments: Self.arguments([.int(expires), .text(worker)] + ids.map { .int($0) })))
            }
        }
    }

    package func complete(_ ids: [Int64], worker: String) async throws(SwitchyardError) -> Int {
        guard !ids.isEmpty else { return 0 }
        return try await run { pool in
            try await pool.write { db in
                try Int64.fetchAll(db, sql: JobSQL.complete(count: ids.count), arguments: Self.arguments([.int(StoreClock.now()), .text(worker)] + ids.map { .int($0) })).count
            }
        }
    }

    package func fail(_ id: Int64, worker: String, error: String, retryAt: Int64, discard: Bool) async throws(SwitchyardError) -> JobState? {
        let now = StoreClock.now()
        return try await run { pool in
            try await pool.write { db in
                try String.fetchOne(db, sql: JobSQL.fail(.sqlite), arguments: [now, error, discard ? 1 : 0, retryAt, discard ? 1 : 0, now, id, worker]).flatMap(JobState.init)
            }
        }
    }

    package func snooze(_ id: Int64, worker: String, until: Int64) async throws(SwitchyardError) -> Bool {
        let now = StoreClock.now()
        let snoozed = try await run { pool in
            try await pool.write { db in try Int64.fetchOne(db, sql: JobSQL.snooze, arguments: [until, now, until, id, worker]) != nil }
        }
        return snoozed
    }

    package func cancel(_ id: Int64, worker: String?, reason: String) async throws(SwitchyardError) -> Job? {
        let now = StoreClock.now()
        return try await run { pool in
            try await pool.write { db in
                var arguments: [SQLArgument] = [.int(now), .int(now), .text(reason), .int(id)]
                if let worker { arguments.append(.text(worker)) }
                return try Self.jobs(db, JobSQL.cancel(.sqlite, byWorker: worker != nil), Self.arguments(arguments)).first
            }
        }
    }

    package func release(_ ids: [Int64], worker: String) async throws(SwitchyardError) {
        guard !ids.isEmpty else { return }
        try await run { pool in
            try await pool.write { db in try db.execute(sql: JobSQL.release(count: ids.count), arguments: Self.arguments([.text(worker)] + ids.map { .int($0) })) }
        }
        for queue in JobQueueName.allCases { wakeups.signal(queue) }
    }

    // MARK: Maintenance

    package func promoteDue(now: Int64, limit: Int) async throws(SwitchyardError) -> Int {
        try await moveAndSignal(JobSQL.promoteDue(.sqlite), [now, limit])
    }

    package func rescueExpired(now: Int64, limit: Int) async throws(SwitchyardError) -> Int {
        let error = "the worker stopped renewing its lease (it stopped or lost the database); the job was taken back"
        return try await moveAndSignal(JobSQL.rescue(.sqlite), [now, error, now, now, now, limit])
    }

    private func moveAndSignal(_ sql: String, _ arguments: StatementArguments) async throws(SwitchyardError) -> Int {
        let queues = try await run { pool in try await pool.write { db in try String.fetchAll(db, sql: sql, arguments: arguments) } }
        for queue in Set(queues).compactMap(JobQueueName.init) { wakeups.signal(queue) }
        return queues.count
    }

    package func deleteFinished(before: [JobState: Int64], limit: Int) async throws(SwitchyardError) -> Int {
        try await run { pool in
            try await pool.write { db in
                var deleted = 0
                for (state, time) in before where JobState.finished.contains(state) {
                    try db.execute(sql: JobSQL.deleteFinished, arguments: [state.rawValue, time, limit])
                    deleted += db.changesCount
                }
                return deleted
            }
        }
    }

    // MARK: Operators

    package func job(_ id: Int64) async throws(SwitchyardError) -> Job {
        let found = try await run { pool in try await pool.read { db in try Self.jobs(db, JobSQL.byID(.sqlite), [id]).first } }
        guard let found else { throw SwitchyardError(.notFound, "job \(id) not found") }
        return found
    }

    package func jobs(states: [JobState], limit: Int, afterID: Int64?) async throws(SwitchyardError) -> [Job] {
        try JobDecoding.checkLimit(limit)
        let states = states.isEmpty ? JobState.allCases : states
        return try await run { pool in
            try await pool.read { db in
                try Self.jobs(db, JobSQL.list(.sqlite, states: states.count), Self.arguments(states.map { .text($0.rawValue) } + [.int(afterID ?? 0), .int(Int64(limit))]))
            }
        }
    }

    package func retry(_ id: Int64) async throws(SwitchyardError) -> Job {
        let retried = try await run { pool in try await pool.write { db in try Self.jobs(db, JobSQL.retry(.sqlite), [StoreClock.now(), id]).first } }
        if let retried {
            wakeups.signal(retried.queue)
            return retried
        }
        let existing = try await job(id)
        throw SwitchyardError(.conflict, "job \(id) is \(existing.state.rawValue); only completed, cancelled or discarded jobs can be retried")
    }

    package func counts(now: Int64) async throws(SwitchyardError) -> JobCounts {
        try await run { pool in
            try await pool.read { db in
                var counts = JobCounts()
                for row in try Row.fetchAll(db, sql: JobSQL.counts) {
                    guard let queue = JobQueueName(rawValue: row[0]), let state = JobState(rawValue: row[1]) else { continue }
                    counts.byState[queue, default: [:]][state] = row[2]
                    if state == .available { counts.waiting[queue, default: 0] += row[2] as Int }
                }
                for row in try Row.fetchAll(db, sql: JobSQL.due, arguments: [now]) {
                    guard let queue = JobQueueName(rawValue: row[0]) else { continue }
                    counts.waiting[queue, default: 0] += row[1] as Int
                }
                return counts
            }
        }
    }

    package func requiredQueuedWorkers(limits: JobLimitSettings?) async throws(SwitchyardError) -> Int {
        let counts = try await counts(now: StoreClock.now())
        let running = counts.count(.queued, .running)
        guard let limits else { return running + (counts.waiting[.queued] ?? 0) }
        return try await run { pool in
            try await pool.read { db in
                let heads = try Self.pairHeads(db)
                let table = try Self.limitTable(db, workspaces: Set(heads.map(\.workspaceID)), settings: limits)
                var selection = FairSelection(running: try Self.runningGroups(db, .queued), turns: [:], limits: table)
                return running + selection.choose(from: heads, count: heads.count, now: 0).count
            }
        }
    }

    // MARK: Coordination

    package func acquireLease(_ name: String, holder: String, ttl: Duration) async throws(SwitchyardError) -> Bool {
        let now = StoreClock.now()
        return try await run { pool in
            try await pool.write { db in try String.fetchOne(db, sql: JobSQL.acquireLease, arguments: [name, holder, now + ttl.microseconds, now]) != nil }
        }
    }

    package func releaseLease(_ name: String, holder: String) async throws(SwitchyardError) {
        try await run { pool in try await pool.write { db in try db.execute(sql: JobSQL.releaseLease, arguments: [name, holder]) } }
    }

    package func fireTick(schedule: String, tick: Int64, job: NewJob) async throws(SwitchyardError) -> Bool {
        try job.validate()
        let fired = try await run { pool in
            try await pool.write { db in
                guard try String.fetchOne(db, sql: JobSQL.recordTick, arguments: [tick, schedule, tick]) != nil else { return false }
                _ = try Self.enqueue(db, [job], limits: nil)
                return true
            }
        }
        if fired { wakeups.signal(job.queue) }
        return fired
    }

    package func lastTick(schedule: String) async throws(SwitchyardError) -> Int64? {
        try await run { pool in try await pool.read { db in try Int64.fetchOne(db, sql: JobSQL.lastTick, arguments: [schedule]) } }
    }

    package func saveSchedule(_ schedule: JobSchedule) async throws(SwitchyardError) {
        try schedule.validate()
        let definition = JobScheduleCoding.encode(schedule)
        try await run { pool in
            try await pool.write { db in try db.execute(sql: JobSQL.saveSchedule(.sqlite), arguments: [schedule.name, definition, StoreClock.now()]) }
        }
    }

    package func deleteSchedule(_ name: String) async throws(SwitchyardError) -> Bool {
        try await run { pool in try await pool.write { db in try String.fetchOne(db, sql: JobSQL.deleteSchedule, arguments: [name]) != nil } }
    }

    package func schedules() async throws(SwitchyardError) -> [StoredSchedule] {
        let rows = try await run { pool in
            try await pool.read { db in
                try Row.fetchAll(db, sql: JobSQL.schedules(.sqlite)).map { row -> (String, String, Int64, Int64?) in (row[0], row[1], row[2], row[3]) }
            }
        }
        return try rows.map { row throws(SwitchyardError) in
            StoredSchedule(schedule: try JobScheduleCoding.decode(row.1, name: row.0), createdAt: row.2, lastTick: row.3)
        }
    }

    package func recordWorker(_ id: String, queue: JobQueueName, busy: Bool) async throws(SwitchyardError) {
        try await run { pool in
            try await pool.write { db in try db.execute(sql: JobSQL.recordWorker, arguments: [id, queue.rawValue, busy ? 1 : 0, StoreClock.now()]) }
        }
    }

    package func removeWorker(_ id: String) async throws(SwitchyardError) {
        try await run { pool in try await pool.write { db in try db.execute(sql: JobSQL.removeWorker, arguments: [id]) } }
    }

    package func liveWorkers(queue: JobQueueName, since: Int64) async throws(SwitchyardError) -> Int {
        try await run { pool in try await pool.read { db in try Int.fetchOne(db, sql: JobSQL.liveWorkers, arguments: [queue.rawValue, since]) ?? 0 } }
    }

    package func setLimits(_ limits: JobLimits, workspaceID: String, tenantID: String?) async throws(SwitchyardError) {
        try await run { pool in
            try await pool.write { db in
                if limits.isEmpty {
                    try db.execute(sql: JobSQL.clearLimits, arguments: [workspaceID, tenantID ?? ""])
                } else {
                    try db.execute(
                        sql: JobSQL.setLimits,
                        arguments: [workspaceID, tenantID ?? "", limits.runningPerConnection, limits.runningPerTenant, limits.queuePerConnection]
                    )
                }
            }
        }
    }

    package func limits(workspaceID: String, tenantID: String?) async throws(SwitchyardError) -> JobLimits {
        try await run { pool in
            try await pool.read { db in
                guard let row = try Row.fetchOne(db, sql: JobSQL.getLimits, arguments: [workspaceID, tenantID ?? ""]) else { return JobLimits() }
                return JobLimits(runningPerConnection: row[0], runningPerTenant: row[1], queuePerConnection: row[2])
            }
        }
    }

    package func jobs(_ query: WorkspaceJobQuery) async throws(SwitchyardError) -> [Job] {
        try JobDecoding.checkLimit(query.limit)
        return try await run { pool in
            try await pool.read { db in try Self.jobs(db, JobSQL.workspaceList(.sqlite, query), Self.arguments(query.arguments)) }
        }
    }

    package func counts(workspaceID: String) async throws(SwitchyardError) -> JobCounts {
        try await run { pool in
            try await pool.read { db in
                var counts = JobCounts()
                for row in try Row.fetchAll(db, sql: JobSQL.workspaceCounts, arguments: [workspaceID]) {
                    guard let queue = JobQueueName(rawValue: row[0]), let state = JobState(rawValue: row[1]) else { continue }
                    counts.byState[queue, default: [:]][state] = row[2]
                    if state == .available { counts.waiting[queue, default: 0] += row[2] as Int }
                }
                return counts
            }
        }
    }

    package func workers(since: Int64) async throws(SwitchyardError) -> [WorkerPresence] {
        try await run { pool in
            try await pool.read { db in
                try Row.fetchAll(db, sql: JobSQL.workers, arguments: [since]).compactMap { row -> WorkerPresence? in
                    guard let queue = JobQueueName(rawValue: row[1]) else { return nil }
                    return WorkerPresence(id: row[0], queue: queue, busy: (row[2] as Int) != 0, seenAt: row[3])
                }
            }
        }
    }

    package func leases() async throws(SwitchyardError) -> [LeaseHolder] {
        try await run { pool in
            try await pool.read { db in
                try Row.fetchAll(db, sql: JobSQL.leases).map { row in LeaseHolder(name: row[0], holder: row[1], expiresAt: row[2]) }
            }
        }
    }

    // MARK: Helpers

    private static func arguments(_ values: [SQLArgument]) -> StatementArguments {
        StatementArguments(values.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .text(let text): text
            case .int(let int): int
            }
        })
    }

    private static func jobs(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws -> [Job] {
        try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            try JobDecoding.job(.init(
                id: row[0], state: row[1], queue: row[2], kind: row[3], priority: row[4], args: row[5], errors: row[6], attempt: row[7],
                maxAttempts: row[8], workspaceID: row[9], tenantID: row[10], connectionID: row[11], uniqueKey: row[12], scheduledAt: row[13],
                createdAt: row[14], attemptedAt: row[15], finalizedAt: row[16], attemptedBy: row[17], leaseExpiresAt: row[18]
            ))
        }
    }
}
