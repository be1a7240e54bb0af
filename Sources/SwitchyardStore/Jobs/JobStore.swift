import SwitchyardCore

/// The durable job queue on the store's database (River's design: one table, leases,
/// `FOR UPDATE SKIP LOCKED` fetches, unique keys enforced by an index). Both backends pass one
/// conformance suite.
package protocol JobStore: Sendable {
    /// Wakes workers when jobs become available (PostgreSQL `LISTEN`, or in-process on SQLite).
    var wakeups: JobWakeups { get }

    /// Enqueues jobs in one transaction. Use a ``RecordWrite/enqueue(_:)`` write to commit a job
    /// together with record changes.
    /// - Parameter limits: When given, a connection's queued-queue backlog is bounded by it.
    /// - Throws: `bad_request` for an invalid job, `rate_limit_exceeded` when a connection's queue is full.
    func enqueue(_ jobs: [NewJob], limits: JobLimitSettings?) async throws(SwitchyardError) -> [EnqueueResult]

    /// Takes up to `limit` available jobs of a queue for a worker, under a lease.
    /// - Parameter limits: `nil` (or any queue but `queued`) takes jobs in priority and time
    ///   order; for the queued queue with limits, running caps apply and tenants take turns.
    func fetch(queue: JobQueueName, worker: String, limit: Int, lease: Duration, limits: JobLimitSettings?) async throws(SwitchyardError) -> [Job]

    /// Extends the leases of running jobs the worker still holds.
    /// - Returns: The ids it still holds (a job cancelled or rescued meanwhile is missing).
    func heartbeat(_ ids: [Int64], worker: String, lease: Duration) async throws(SwitchyardError) -> Set<Int64>

    /// Marks jobs the worker holds as completed.
    /// - Returns: How many it still held.
    func complete(_ ids: [Int64], worker: String) async throws(SwitchyardError) -> Int

    /// Records a failed attempt: the job becomes retryable at `retryAt`, or discarded when it
    /// has no attempts left (or `discard` is set).
    /// - Returns: The job's new state, or `nil` when the worker no longer held it.
    func fail(_ id: Int64, worker: String, error: String, retryAt: Int64, discard: Bool) async throws(SwitchyardError) -> JobState?

    /// Puts a held job back until `until` without using up an attempt.
    /// - Returns: Whether the worker still held it.
    func snooze(_ id: Int64, worker: String, until: Int64) async throws(SwitchyardError) -> Bool

    /// Cancels a job that has not finished. With a worker, only a job that worker holds.
    /// - Returns: The cancelled job, or `nil` when there was nothing to cancel.
    func cancel(_ id: Int64, worker: String?, reason: String) async throws(SwitchyardError) -> Job?

    /// Gives held jobs back untouched (graceful shutdown): available again, attempt not counted.
    func release(_ ids: [Int64], worker: String) async throws(SwitchyardError)

    /// Makes scheduled and retryable jobs whose time has come available.
    /// - Returns: How many.
    func promoteDue(now: Int64, limit: Int) async throws(SwitchyardError) -> Int

    /// Takes back running jobs whose lease expired (their worker died): retryable at once, or
    /// discarded when out of attempts.
    /// - Returns: How many.
    func rescueExpired(now: Int64, limit: Int) async throws(SwitchyardError) -> Int

    /// Deletes finished jobs that finished before the given time for their state.
    /// - Returns: How many.
    func deleteFinished(before: [JobState: Int64], limit: Int) async throws(SwitchyardError) -> Int

    /// One job.
    /// - Throws: `not_found`.
    func job(_ id: Int64) async throws(SwitchyardError) -> Job

    /// Jobs in the given states, by ascending id after `afterID`.
    func jobs(states: [JobState], limit: Int, afterID: Int64?) async throws(SwitchyardError) -> [Job]

    /// Runs a finished (discarded, cancelled or completed) job again.
    /// - Throws: `not_found`, or `conflict` when it has not finished.
    func retry(_ id: Int64) async throws(SwitchyardError) -> Job

    /// Job counts per queue and state; scheduled and retryable jobs that are due count as
    /// `available` in `due`.
    func counts(now: Int64) async throws(SwitchyardError) -> JobCounts

    /// Workers needed to run every queued-queue job that may run now under the limits.
    func requiredQueuedWorkers(limits: JobLimitSettings?) async throws(SwitchyardError) -> Int

    /// Takes or renews a named lease (orchestrator leadership).
    /// - Returns: Whether `holder` holds it until `now + ttl`.
    func acquireLease(_ name: String, holder: String, ttl: Duration) async throws(SwitchyardError) -> Bool

    /// Gives a lease up if `holder` holds it.
    func releaseLease(_ name: String, holder: String) async throws(SwitchyardError)

    /// Fires a schedule's tick: records it and enqueues its job in one transaction, unless a
    /// tick at or after this one was already fired.
    /// - Returns: Whether this call fired it.
    func fireTick(schedule: String, tick: Int64, job: NewJob) async throws(SwitchyardError) -> Bool

    /// The last tick fired for a schedule.
    func lastTick(schedule: String) async throws(SwitchyardError) -> Int64?

    /// Creates or replaces a schedule (its last tick is kept).
    /// - Throws: `bad_request` for an invalid schedule.
    func saveSchedule(_ schedule: JobSchedule) async throws(SwitchyardError)

    /// Deletes a schedule.
    /// - Returns: Whether it existed.
    func deleteSchedule(_ name: String) async throws(SwitchyardError) -> Bool

    /// Every schedule, by name.
    func schedules() async throws(SwitchyardError) -> [StoredSchedule]

    /// Records that a worker is alive (and whether it is busy).
    func recordWorker(_ id: String, queue: JobQueueName, busy: Bool) async throws(SwitchyardError)

    /// Removes a worker's presence row (clean shutdown).
    func removeWorker(_ id: String) async throws(SwitchyardError)

    /// Workers of a queue seen since `since`.
    func liveWorkers(queue: JobQueueName, since: Int64) async throws(SwitchyardError) -> Int

    /// Sets (or, with all fields `nil`, clears) the limits of a workspace or one of its tenants.
    func setLimits(_ limits: JobLimits, workspaceID: String, tenantID: String?) async throws(SwitchyardError)

    /// The limits set on a workspace or tenant (not the effective ones).
    func limits(workspaceID: String, tenantID: String?) async throws(SwitchyardError) -> JobLimits

    /// One workspace's jobs, newest first.
    /// - Throws: `bad_request` for a limit outside 1...1000.
    func jobs(_ query: WorkspaceJobQuery) async throws(SwitchyardError) -> [Job]

    /// Job counts per queue and state of one workspace's jobs (`waiting` holds the available ones).
    func counts(workspaceID: String) async throws(SwitchyardError) -> JobCounts

    /// Workers seen since `since`, most recently seen first.
    func workers(since: Int64) async throws(SwitchyardError) -> [WorkerPresence]

    /// Every named lease, held or run out, by name.
    func leases() async throws(SwitchyardError) -> [LeaseHolder]
}

/// Job counts by queue and state.
package struct JobCounts: Sendable, Equatable {
    /// Counts per queue and state (missing means 0).
    package var byState: [JobQueueName: [JobState: Int]] = [:]
    /// Jobs per queue that could start now (available, plus scheduled/retryable ones already due).
    package var waiting: [JobQueueName: Int] = [:]

    /// Empty counts.
    package init() {}

    /// Jobs of every queue that reached a final state.
    package var finished: Int {
        var total = 0
        for queue in JobQueueName.allCases {
            for state in JobState.finished { total += count(queue, state) }
        }
        return total
    }

    /// The count for a queue and state.
    package func count(_ queue: JobQueueName, _ state: JobState) -> Int { byState[queue]?[state] ?? 0 }
}
