import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// `/background-jobs`: the job queue as a workspace sees it. `GET /background-jobs/{id}` gives
/// the state of a long operation the API started (to tenants too); admins list the workspace's
/// jobs, see queue depths, retry dead letters and cancel pending jobs. Jobs are global in the
/// store, but each carries its workspace: a workspace only ever sees, retries or cancels its
/// own (jobs of no workspace, such as maintenance, are not shown).
enum BackgroundJobRoutes {
    static let states: JSONValue = .array(JobState.allCases.map { .string($0.rawValue) })
    static let queues: JSONValue = .array(JobQueueName.allCases.map { .string($0.rawValue) })

    static let schema: JSONValue = [
        "type": "object", "required": ["id", "status"],
        "properties": [
            "id": ["type": "string"], "kind": ["type": "string"],
            "status": ["type": "string", "enum": ["pending", "running", "completed", "failed", "canceled"]],
            "attempt": ["type": "integer"], "createdAt": ["type": "string", "format": "date-time"],
            "finishedAt": ["type": "string", "format": "date-time"],
            "error": ["type": "string"],
            "state": ["type": "string", "enum": states, "description": "the queue's own state (admins)"],
            "queue": ["type": "string", "enum": queues], "priority": ["type": "integer"], "maxAttempts": ["type": "integer"],
            "tenantId": ["type": ["string", "null"]], "connectionId": ["type": ["string", "null"]],
            "scheduledAt": ["type": "string", "format": "date-time"], "attemptedAt": ["type": ["string", "null"], "format": "date-time"],
            "attemptedBy": ["type": ["string", "null"]], "args": [:],
            "errors": [
                "type": "array",
                "items": [
                    "type": "object", "required": ["attempt", "at", "error"],
                    "properties": ["attempt": ["type": "integer"], "at": ["type": "string", "format": "date-time"], "error": ["type": "string"]],
                ],
            ],
        ],
    ]

    /// One state or several, comma-separated.
    static let statePattern: String = {
        let one = "(" + JobState.allCases.map(\.rawValue).joined(separator: "|") + ")"
        return "^\(one)(,\(one))*$"
    }()

    static let queuesSchema: JSONValue = [
        "type": "object", "required": ["queues"],
        "properties": [
            "queues": [
                "type": "array",
                "items": [
                    "type": "object", "required": ["queue", "states", "waiting"],
                    "properties": [
                        "queue": ["type": "string", "enum": queues], "waiting": ["type": "integer"],
                        "states": ["type": "object", "additionalProperties": ["type": "integer"]],
                    ],
                ],
            ]
        ],
    ]

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        let id = APIRoute.Parameter.path("id", "the job id")
        return [
            APIRoute(
                method: .get, path: "/background-jobs", access: .admin, operationID: "listBackgroundJobs",
                summary: "List the workspace's jobs, newest first", tag: "Background jobs",
                parameters: [
                    .query("limit", ["type": "integer", "minimum": 1, "maximum": 1000], "page size (default 100)"),
                    .query("cursor", ["type": "string"], "the cursor of the previous page"),
                    .query("queue", ["type": "string", "enum": queues], "only this queue's jobs"),
                    .query("state", ["type": "string", "pattern": .string(statePattern)], "only jobs in these states (comma-separated)"),
                ],
                requestSchema: nil, responseSchema: RecordJSON.listSchema(schema), successStatus: 200
            ) { request throws(SwitchyardError) in
                let query = try listQuery(request)
                let jobs = try await deps.jobs.jobs(query)
                var members: [String: JSONValue] = ["items": .array(jobs.map { json($0, detailed: true) })]
                if jobs.count == query.limit, let last = jobs.last { members["cursor"] = .string(String(last.id)) }
                return .object(members)
            },
            APIRoute(
                method: .get, path: "/background-jobs/queues", access: .admin, operationID: "getBackgroundJobQueues",
                summary: "The workspace's jobs per queue and state", tag: "Background jobs", parameters: [], requestSchema: nil,
                responseSchema: queuesSchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                queuesJSON(try await deps.jobs.counts(workspaceID: request.caller.workspaceID))
            },
            APIRoute(
                method: .get, path: "/background-jobs/{id}", access: .any, operationID: "getBackgroundJob", summary: "The status of a background job",
                tag: "Background jobs", parameters: [id], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                json(try await visible(request, deps), detailed: request.caller.isAdmin)
            },
            APIRoute(
                method: .post, path: "/background-jobs/{id}/retry", access: .admin, operationID: "retryBackgroundJob",
                summary: "Run a discarded (dead) or cancelled job again", tag: "Background jobs", parameters: [id], requestSchema: nil,
                responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let job = try await visible(request, deps)
                guard job.state == .discarded || job.state == .cancelled else {
                    throw SwitchyardError(
                        .conflict, "job \(job.id) is \(job.state.rawValue); only discarded or cancelled jobs can be retried",
                        data: ["state": "is \(job.state.rawValue)"])
                }
                return json(try await deps.jobs.retry(job.id), detailed: true)
            },
            APIRoute(
                method: .post, path: "/background-jobs/{id}/cancel", access: .admin, operationID: "cancelBackgroundJob",
                summary: "Cancel a job that has not finished (a running one stops at its next heartbeat)", tag: "Background jobs",
                parameters: [id], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let job = try await visible(request, deps)
                if job.kind == FlowRunRecord.jobKind, let run = job.args["runId"]?.stringValue {
                    throw SwitchyardError(
                        .conflict, "job \(job.id) runs flow run \(run); stop it with POST /flow-runs/\(run)/stop", data: ["kind": "is a flow run"])
                }
                guard let cancelled = try await deps.jobs.cancel(job.id, worker: nil, reason: "cancelled by an admin through the API") else {
                    throw SwitchyardError(
                        .conflict, "job \(job.id) is \(job.state.rawValue); only unfinished jobs can be cancelled",
                        data: ["state": "is \(job.state.rawValue)"])
                }
                return json(cancelled, detailed: true)
            },
        ]
    }

    /// The job a path names, if the caller may see it: jobs of other workspaces, and (for
    /// tenants) of other tenants, do not exist here.
    static func visible(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> Job {
        let text = request.path("id")
        let notFound = SwitchyardError(.notFound, "background job \(text) not found")
        guard let id = Int64(text), id > 0 else { throw notFound }
        let job: Job
        do throws(SwitchyardError) {
            job = try await deps.jobs.job(id)
        } catch where error.key == .notFound {
            throw notFound
        }
        guard job.workspaceID == request.caller.workspaceID, request.caller.isAdmin || job.tenantID == request.caller.tenantID else {
            throw notFound
        }
        return job
    }

    /// The listing a request asks for.
    static func listQuery(_ request: APIRequest) throws(SwitchyardError) -> WorkspaceJobQuery {
        var query = WorkspaceJobQuery(workspaceID: request.caller.workspaceID, limit: try ListQuery(request.query).limit)
        if let text = request.query["queue"] {
            guard let queue = JobQueueName(rawValue: text) else {
                throw SwitchyardError(.badRequest, "queue must be instant or queued, got \(text)", data: ["queue": "must be instant or queued"])
            }
            query.queue = queue
        }
        if let text = request.query["state"] {
            for name in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let state = JobState(rawValue: String(name)) else {
                    let known = JobState.allCases.map(\.rawValue).joined(separator: ", ")
                    throw SwitchyardError(
                        .badRequest, "state must be one or more of \(known) (comma-separated), got \(text)", data: ["state": "unknown state \(name)"])
                }
                query.states.append(state)
            }
        }
        if let cursor = request.query["cursor"], !cursor.isEmpty {
            guard let last = Int64(cursor), last > 0 else {
                throw SwitchyardError(.badRequest, "cursor is not valid", data: ["cursor": "is not a cursor of this list"])
            }
            query.beforeID = last
        }
        return query
    }

    static func queuesJSON(_ counts: JobCounts) -> JSONValue {
        .object([
            "queues": .array(
                JobQueueName.allCases.map { queue in
                    var states: [String: JSONValue] = [:]
                    for state in JobState.allCases { states[state.rawValue] = .number(Double(counts.count(queue, state))) }
                    return ["queue": .string(queue.rawValue), "states": .object(states), "waiting": .number(Double(counts.waiting[queue] ?? 0))]
                })
        ])
    }

    static func json(_ job: Job, detailed: Bool = false) -> JSONValue {
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
        guard detailed else { return .object(members) }
        let text = { (value: String?) -> JSONValue in value.map(JSONValue.string) ?? .null }
        members["state"] = .string(job.state.rawValue)
        members["queue"] = .string(job.queue.rawValue)
        members["priority"] = .number(Double(job.priority))
        members["maxAttempts"] = .number(Double(job.maxAttempts))
        members["tenantId"] = text(job.tenantID)
        members["connectionId"] = text(job.connectionID)
        members["scheduledAt"] = .string(RecordJSON.timestamp(job.scheduledAt))
        members["attemptedAt"] = text(job.attemptedAt.map(RecordJSON.timestamp))
        members["attemptedBy"] = text(job.attemptedBy)
        members["args"] = job.args
        members["errors"] = .array(
            job.errors.map { ["attempt": .number(Double($0.attempt)), "at": .string(RecordJSON.timestamp($0.at)), "error": .string($0.error)] })
        return .object(members)
    }
}
