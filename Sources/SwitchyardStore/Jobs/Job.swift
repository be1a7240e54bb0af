import SwitchyardCore

/// Where a job is in its life (River's states).
package enum JobState: String, Sendable, CaseIterable, Codable {
    /// Waiting for a worker.
    case available
    /// Waiting for its `scheduledAt` (delayed or snoozed).
    case scheduled
    /// Held by a worker under a lease.
    case running
    /// Failed an attempt; runs again at `scheduledAt`.
    case retryable
    /// Finished successfully.
    case completed
    /// Stopped on purpose (by its handler or an operator).
    case cancelled
    /// Failed its last attempt; kept as a dead letter until retried or cleaned up.
    case discarded

    /// States in which a unique key blocks a second job.
    package static let pending: [JobState] = [.available, .scheduled, .running, .retryable]
    /// States a job never leaves by itself.
    package static let finished: [JobState] = [.completed, .cancelled, .discarded]
}

/// The two work queues of the reference system.
package enum JobQueueName: String, Sendable, CaseIterable, Codable {
    /// Short jobs the instant-tasks workers run many at a time; they must never queue up.
    case instant
    /// Long jobs (flow runs, pulls, external events) each queued-tasks worker runs one at a time.
    case queued
}

/// What a caller hands to ``JobStore/enqueue(_:)`` or a ``RecordWrite/enqueue(_:)`` write.
package struct NewJob: Sendable, Equatable {
    /// The handler that runs it (for example `flow_run`).
    package var kind: String
    /// The queue.
    package var queue: JobQueueName
    /// 1 (first) to 4 (last).
    package var priority: Int
    /// The handler's input.
    package var args: JSONValue
    /// Attempts before the job is discarded.
    package var maxAttempts: Int
    /// The owning workspace, if any.
    package var workspaceID: String?
    /// The tenant it works for, if any (fairness and limits are per tenant).
    package var tenantID: String?
    /// The connection it works on, if any (running caps and queue bounds are per connection).
    package var connectionID: String?
    /// While a job with the same kind and key is pending, enqueueing another is a no-op.
    package var uniqueKey: String?
    /// Runs no earlier than this (microseconds since the epoch); `nil` means now.
    package var scheduledAt: Int64?

    /// Describes a job.
    package init(
        kind: String, queue: JobQueueName, priority: Int = 2, args: JSONValue = [:], maxAttempts: Int = 25,
        workspaceID: String? = nil, tenantID: String? = nil, connectionID: String? = nil, uniqueKey: String? = nil, scheduledAt: Int64? = nil
    ) {
        self.kind = kind
        self.queue = queue
        self.priority = priority
        self.args = args
        self.maxAttempts = maxAttempts
        self.workspaceID = workspaceID
        self.tenantID = tenantID
        self.connectionID = connectionID
        self.uniqueKey = uniqueKey
        self.scheduledAt = scheduledAt
    }

    /// Refuses what the table would store wrongly.
    /// - Throws: `bad_request` naming the field.
    package func validate() throws(SwitchyardError) {
        if kind.isEmpty || kind.count > 128 { throw SwitchyardError(.badRequest, "job kind must be 1 to 128 characters", data: ["field": "kind"]) }
        if !(1...4).contains(priority) { throw SwitchyardError(.badRequest, "job priority must be 1 to 4, got \(priority)", data: ["field": "priority"]) }
        if !(1...1000).contains(maxAttempts) {
            throw SwitchyardError(.badRequest, "job maxAttempts must be 1 to 1000, got \(maxAttempts)", data: ["field": "maxAttempts"])
        }
        if let uniqueKey, uniqueKey.isEmpty || uniqueKey.count > 512 {
            throw SwitchyardError(.badRequest, "job uniqueKey must be 1 to 512 characters", data: ["field": "uniqueKey"])
        }
    }
}

/// One failed attempt, as recorded on the job.
package struct JobAttemptError: Sendable, Equatable, Codable {
    /// The attempt that failed (1-based).
    package var attempt: Int
    /// When, in microseconds since the epoch.
    package var at: Int64
    /// What went wrong (a client-safe message).
    package var error: String
}

/// A stored job.
package struct Job: Sendable, Equatable {
    /// Ascending id.
    package var id: Int64
    /// Its state.
    package var state: JobState
    /// Its queue.
    package var queue: JobQueueName
    /// Its handler.
    package var kind: String
    /// 1 (first) to 4 (last).
    package var priority: Int
    /// The handler's input.
    package var args: JSONValue
    /// Attempts made so far (the running attempt included).
    package var attempt: Int
    /// Attempts allowed.
    package var maxAttempts: Int
    /// Why earlier attempts failed, oldest first.
    package var errors: [JobAttemptError]
    /// Owning workspace (`nil` when none).
    package var workspaceID: String?
    /// Tenant (`nil` when none).
    package var tenantID: String?
    /// Connection (`nil` when none).
    package var connectionID: String?
    /// The dedupe key, if any.
    package var uniqueKey: String?
    /// When it may run next (microseconds since the epoch).
    package var scheduledAt: Int64
    /// When it was enqueued.
    package var createdAt: Int64
    /// When the latest attempt started.
    package var attemptedAt: Int64?
    /// When it reached a final state.
    package var finalizedAt: Int64?
    /// The worker holding (or that last held) it.
    package var attemptedBy: String?
    /// When the running attempt's lease runs out.
    package var leaseExpiresAt: Int64?

    /// Creates a job value (stores decode rows into these; executors rebuild them from the wire).
    package init(
        id: Int64, state: JobState, queue: JobQueueName, kind: String, priority: Int, args: JSONValue, attempt: Int, maxAttempts: Int,
        errors: [JobAttemptError], workspaceID: String?, tenantID: String?, connectionID: String?, uniqueKey: String?, scheduledAt: Int64,
        createdAt: Int64, attemptedAt: Int64?, finalizedAt: Int64?, attemptedBy: String?, leaseExpiresAt: Int64?
    ) {
        self.id = id
        self.state = state
        self.queue = queue
        self.kind = kind
        self.priority = priority
        self.args = args
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.errors = errors
        self.workspaceID = workspaceID
        self.tenantID = tenantID
        self.connectionID = connectionID
        self.uniqueKey = uniqueKey
        self.scheduledAt = scheduledAt
        self.createdAt = createdAt
        self.attemptedAt = attemptedAt
        self.finalizedAt = finalizedAt
        self.attemptedBy = attemptedBy
        self.leaseExpiresAt = leaseExpiresAt
    }
}

/// What happened to an enqueue.
package enum EnqueueResult: Sendable, Equatable {
    /// A new job with this id.
    case inserted(Int64)
    /// A pending job with the same kind and unique key already exists (its id).
    case duplicate(Int64)

    /// The job's id either way.
    package var id: Int64 {
        switch self {
        case .inserted(let id), .duplicate(let id): id
        }
    }
}
