import SwitchyardCore

/// A periodic job: every `everySeconds`, or on a cron expression (UTC), the orchestrator's
/// leader enqueues one job per due tick.
package struct JobSchedule: Sendable, Equatable, Codable {
    /// A unique name (for example `data-source-pull:<connection>`).
    package var name: String
    /// The job kind to enqueue.
    package var kind: String
    /// Its queue.
    package var queue: JobQueueName
    /// Its arguments.
    package var args: JSONValue
    /// An interval in seconds (ticks fall on multiples of it since the epoch), or `nil`.
    package var everySeconds: Int?
    /// A five-field cron expression (minute hour day-of-month month day-of-week), or `nil`.
    package var cron: String?
    /// Workspace, tenant and connection the jobs belong to.
    package var workspaceID: String?
    package var tenantID: String?
    package var connectionID: String?

    /// Creates a schedule.
    package init(
        name: String, kind: String, queue: JobQueueName, args: JSONValue = [:], everySeconds: Int? = nil, cron: String? = nil,
        workspaceID: String? = nil, tenantID: String? = nil, connectionID: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.queue = queue
        self.args = args
        self.everySeconds = everySeconds
        self.cron = cron
        self.workspaceID = workspaceID
        self.tenantID = tenantID
        self.connectionID = connectionID
    }

    /// The job one tick enqueues.
    package func job(tick: Int64) -> NewJob {
        NewJob(
            kind: kind, queue: queue, args: args, maxAttempts: 3, workspaceID: workspaceID, tenantID: tenantID, connectionID: connectionID,
            uniqueKey: "schedule:\(name):\(tick)"
        )
    }

    /// Refuses a schedule that could not fire.
    /// - Throws: `bad_request` naming the field.
    package func validate() throws(SwitchyardError) {
        if name.isEmpty || name.count > 200 { throw SwitchyardError(.badRequest, "schedule name must be 1 to 200 characters", data: ["field": "name"]) }
        if (everySeconds == nil) == (cron == nil) {
            throw SwitchyardError(.badRequest, "schedule \(name) needs exactly one of everySeconds and cron", data: ["field": "everySeconds"])
        }
        if let everySeconds, !(1...31_622_400).contains(everySeconds) {
            throw SwitchyardError(.badRequest, "schedule everySeconds must be 1 to 31622400, got \(everySeconds)", data: ["field": "everySeconds"])
        }
        try job(tick: 0).validate()
    }
}

/// A schedule as stored, with when it last fired.
package struct StoredSchedule: Sendable, Equatable {
    /// The definition.
    package var schedule: JobSchedule
    /// When it was first saved (no tick before this fires).
    package var createdAt: Int64
    /// The last tick fired, if any.
    package var lastTick: Int64?

    /// Creates a stored schedule value.
    package init(schedule: JobSchedule, createdAt: Int64, lastTick: Int64?) {
        self.schedule = schedule
        self.createdAt = createdAt
        self.lastTick = lastTick
    }
}

/// Stores schedules as JSON documents.
enum JobScheduleCoding {
    static func encode(_ schedule: JobSchedule) -> String {
        var members: [String: JSONValue] = [
            "kind": .string(schedule.kind), "queue": .string(schedule.queue.rawValue), "args": schedule.args,
        ]
        if let every = schedule.everySeconds { members["everySeconds"] = .number(Double(every)) }
        if let cron = schedule.cron { members["cron"] = .string(cron) }
        if let id = schedule.workspaceID { members["workspaceId"] = .string(id) }
        if let id = schedule.tenantID { members["tenantId"] = .string(id) }
        if let id = schedule.connectionID { members["connectionId"] = .string(id) }
        return JSONValue.object(members).jsonText
    }

    static func decode(_ text: String, name: String) throws(SwitchyardError) -> JobSchedule {
        guard let value = try? JSONValue.parse(text), let kind = value["kind"]?.stringValue,
            let queue = value["queue"]?.stringValue.flatMap(JobQueueName.init(rawValue:))
        else {
            throw SwitchyardError(.internal, "schedule \(name) has a damaged definition")
        }
        return JobSchedule(
            name: name, kind: kind, queue: queue, args: value["args"] ?? [:], everySeconds: value["everySeconds"]?.numberValue.map { Int($0) },
            cron: value["cron"]?.stringValue, workspaceID: value["workspaceId"]?.stringValue, tenantID: value["tenantId"]?.stringValue,
            connectionID: value["connectionId"]?.stringValue
        )
    }
}
