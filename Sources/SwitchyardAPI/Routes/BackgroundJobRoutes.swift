import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// `GET /background-jobs/{id}`: the state of a long operation the API started.
enum BackgroundJobRoutes {
    static let schema: JSONValue = [
        "type": "object", "required": ["id", "status"],
        "properties": [
            "id": ["type": "string"], "kind": ["type": "string"],
            "status": ["type": "string", "enum": ["pending", "running", "completed", "failed", "canceled"]],
            "attempt": ["type": "integer"], "createdAt": ["type": "string", "format": "date-time"],
            "finishedAt": ["type": "string", "format": "date-time"],
            "error": ["type": "string"],
        ],
    ]

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/background-jobs/{id}", access: .any, operationID: "getBackgroundJob", summary: "The status of a background job",
                tag: "Background jobs",
                parameters: [.path("id", "the job id")], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let text = request.path("id")
                let notFound = SwitchyardError(.notFound, "background job \(text) not found")
                guard let id = Int64(text), id > 0 else { throw notFound }
                let job: Job
                do throws(SwitchyardError) {
                    job = try await deps.jobs.job(id)
                } catch where error.key == .notFound {
                    throw notFound
                }
                // Jobs of other workspaces, and (for tenants) of other tenants, do not exist here.
                guard job.workspaceID == request.caller.workspaceID, request.caller.isAdmin || job.tenantID == request.caller.tenantID else {
                    throw notFound
                }
                return json(job)
            }
        ]
    }

    static func json(_ job: Job) -> JSONValue {
        let status =
            switch job.state {
            case .available, .scheduled, .retryable: "pending"
            case .running: "running"
            case .completed: "completed"
            case .discarded: "failed"
            case .cancelled: "canceled"
            }
        var members: [String: JSONValue] = [
            "id": .string(String(job.id)), "kind": .string(job.kind), "status": .string(status), "attempt": .number(Double(job.attempt)),
            "createdAt": .string(RecordJSON.timestamp(job.createdAt)),
        ]
        if let finished = job.finalizedAt { members["finishedAt"] = .string(RecordJSON.timestamp(finished)) }
        if job.state == .discarded || job.state == .cancelled, let last = job.errors.last { members["error"] = .string(last.error) }
        return .object(members)
    }
}
