import SwitchyardCore
import SwitchyardStore

/// The line protocol between a queued-tasks worker and its executor process: one JSON object
/// per line each way.
package enum JobWire {
    /// The line a worker sends to run a job.
    package static func request(_ job: Job) -> String {
        var members: [String: JSONValue] = [
            "id": .number(Double(job.id)), "kind": .string(job.kind), "queue": .string(job.queue.rawValue), "args": job.args,
            "attempt": .number(Double(job.attempt)), "maxAttempts": .number(Double(job.maxAttempts)), "priority": .number(Double(job.priority)),
            "scheduledAt": .number(Double(job.scheduledAt)), "createdAt": .number(Double(job.createdAt)),
        ]
        if let id = job.workspaceID { members["workspaceId"] = .string(id) }
        if let id = job.tenantID { members["tenantId"] = .string(id) }
        if let id = job.connectionID { members["connectionId"] = .string(id) }
        return JSONValue.object(members).jsonText
    }

    /// Reads a request line back into a job.
    /// - Throws: `bad_request` when the line is not a job.
    package static func job(from line: String) throws(SwitchyardError) -> Job {
        guard let value = try? JSONValue.parse(line), let id = value["id"]?.numberValue, let kind = value["kind"]?.stringValue,
            let queue = value["queue"]?.stringValue.flatMap(JobQueueName.init(rawValue:))
        else {
            throw SwitchyardError(.badRequest, "the executor received a line that is not a job")
        }
        func int(_ key: String) -> Int { Int(value[key]?.numberValue ?? 0) }
        return Job(
            id: Int64(id), state: .running, queue: queue, kind: kind, priority: int("priority"), args: value["args"] ?? [:], attempt: int("attempt"),
            maxAttempts: int("maxAttempts"), errors: [], workspaceID: value["workspaceId"]?.stringValue, tenantID: value["tenantId"]?.stringValue,
            connectionID: value["connectionId"]?.stringValue, uniqueKey: nil, scheduledAt: Int64(int("scheduledAt")), createdAt: Int64(int("createdAt")),
            attemptedAt: nil, finalizedAt: nil, attemptedBy: nil, leaseExpiresAt: nil
        )
    }

    /// The line an executor sends back.
    package static func response(_ result: JobResult) -> String {
        let value: JSONValue = switch result {
        case .completed: ["result": "completed"]
        case .snoozed(let delay): ["result": "snoozed", "seconds": .number(Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)]
        case .cancelled(let reason): ["result": "cancelled", "message": .string(reason)]
        case .failed(let message, let discard): ["result": "failed", "message": .string(message), "discard": .bool(discard)]
        case .released: ["result": "released"]
        }
        return value.jsonText
    }

    /// Reads a response line; `nil` when it is not one.
    package static func result(from line: String) -> JobResult? {
        guard let value = try? JSONValue.parse(line), let kind = value["result"]?.stringValue else { return nil }
        switch kind {
        case "completed": return .completed
        case "snoozed": return .snoozed(.milliseconds(Int64((value["seconds"]?.numberValue ?? 0) * 1000)))
        case "cancelled": return .cancelled(value["message"]?.stringValue ?? "cancelled")
        case "failed": return .failed(value["message"]?.stringValue ?? "failed", discard: value["discard"] == .bool(true))
        case "released": return .released
        default: return nil
        }
    }

    /// The line an executor prints once it can take jobs.
    package static let ready = #"{"ready":true}"#
}
