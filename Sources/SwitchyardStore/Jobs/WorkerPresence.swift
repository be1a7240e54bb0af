/// A worker's presence row: what it serves and when it last said it was alive.
package struct WorkerPresence: Sendable, Equatable {
    /// The worker's id (host, process and a random part).
    package var id: String
    /// The queue it takes jobs from.
    package var queue: JobQueueName
    /// Whether it was running a job when last seen.
    package var busy: Bool
    /// When it was last seen, in microseconds since the epoch.
    package var seenAt: Int64

    /// Creates a presence value.
    package init(id: String, queue: JobQueueName, busy: Bool, seenAt: Int64) {
        self.id = id
        self.queue = queue
        self.busy = busy
        self.seenAt = seenAt
    }
}

/// A named lease (for example the orchestrator's leadership) and who holds it.
package struct LeaseHolder: Sendable, Equatable {
    /// The lease's name.
    package var name: String
    /// Its holder.
    package var holder: String
    /// When it runs out unless renewed, in microseconds since the epoch.
    package var expiresAt: Int64

    /// Creates a lease value.
    package init(name: String, holder: String, expiresAt: Int64) {
        self.name = name
        self.holder = holder
        self.expiresAt = expiresAt
    }
}

/// Which jobs of a workspace a listing returns, newest first.
package struct WorkspaceJobQuery: Sendable, Equatable {
    /// The workspace whose jobs are listed.
    package var workspaceID: String
    /// Only this queue's jobs, or every queue's.
    package var queue: JobQueueName?
    /// Only jobs in these states (empty: every state).
    package var states: [JobState]
    /// Only jobs with a smaller id (the previous page's last id).
    package var beforeID: Int64?
    /// Page size, 1 to 1000.
    package var limit: Int

    /// Describes a listing.
    package init(workspaceID: String, queue: JobQueueName? = nil, states: [JobState] = [], beforeID: Int64? = nil, limit: Int = 100) {
        self.workspaceID = workspaceID
        self.queue = queue
        self.states = states
        self.beforeID = beforeID
        self.limit = limit
    }

    /// The statement's arguments, in the order of ``JobSQL/workspaceList(_:_:)``.
    var arguments: [SQLArgument] {
        var values: [SQLArgument] = [.text(workspaceID)]
        if let queue { values.append(.text(queue.rawValue)) }
        let states = states.isEmpty ? JobState.allCases : states
        values += states.map { .text($0.rawValue) }
        values += [.int(beforeID ?? Int64.max), .int(Int64(limit))]
        return values
    }
}
