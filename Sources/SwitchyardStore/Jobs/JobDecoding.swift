import SwitchyardCore

/// Builds ``Job`` values from the columns of ``JobSQL/columns(_:)``, whichever backend read them.
enum JobDecoding {
    /// The raw column values of one job row, in ``JobSQL/columns(_:)`` order.
    struct Columns {
        var id: Int
        var state: String
        var queue: String
        var kind: String
        var priority: Int
        var args: String
        var errors: String?
        var attempt: Int
        var maxAttempts: Int
        var workspaceID: String
        var tenantID: String
        var connectionID: String
        var uniqueKey: String?
        var scheduledAt: Int
        var createdAt: Int
        var attemptedAt: Int?
        var finalizedAt: Int?
        var attemptedBy: String?
        var leaseExpiresAt: Int?
    }

    static func job(_ c: Columns) throws(SwitchyardError) -> Job {
        guard let state = JobState(rawValue: c.state), let queue = JobQueueName(rawValue: c.queue) else {
            throw SwitchyardError(.internal, "job \(c.id) has an unknown state or queue")
        }
        let args: JSONValue
        var errors: [JobAttemptError] = []
        do {
            args = try JSONValue.parse(c.args)
            if let text = c.errors, case .array(let items) = try JSONValue.parse(text) {
                errors = items.map { item in
                    JobAttemptError(
                        attempt: Int(item["attempt"]?.numberValue ?? 0), at: Int64(item["at"]?.numberValue ?? 0),
                        error: item["error"]?.stringValue ?? ""
                    )
                }
            }
        } catch {
            throw SwitchyardError(.internal, "job \(c.id) has damaged arguments or errors")
        }
        return Job(
            id: Int64(c.id), state: state, queue: queue, kind: c.kind, priority: c.priority, args: args, attempt: c.attempt,
            maxAttempts: c.maxAttempts, errors: errors, workspaceID: c.workspaceID.nilIfEmpty, tenantID: c.tenantID.nilIfEmpty,
            connectionID: c.connectionID.nilIfEmpty, uniqueKey: c.uniqueKey, scheduledAt: Int64(c.scheduledAt), createdAt: Int64(c.createdAt),
            attemptedAt: c.attemptedAt.map(Int64.init), finalizedAt: c.finalizedAt.map(Int64.init), attemptedBy: c.attemptedBy,
            leaseExpiresAt: c.leaseExpiresAt.map(Int64.init)
        )
    }

    /// Checks a list limit.
    static func checkLimit(_ limit: Int) throws(SwitchyardError) {
        guard (1...1000).contains(limit) else { throw SwitchyardError(.badRequest, "limit must be 1 to 1000, got \(limit)", data: ["field": "limit"]) }
    }

    /// The error for a connection whose queue is full.
    static func queueFull(_ connection: String, bound: Int) -> SwitchyardError {
        SwitchyardError(
            .rateLimitExceeded, "connection \(connection) already has \(bound) queued jobs waiting; retry when some have run",
            data: ["connectionId": connection, "limit": String(bound)], retryAfterSeconds: 60
        )
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

extension Duration {
    /// Whole microseconds.
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
