import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// `GET /status`: what the console's overview shows. The workers and role leases seen recently
/// (from the database's presence and lease rows, deployment-wide), the workspace's queue depths,
/// its flow runs per minute over the last hour (counted by the database), and its latest failed
/// flow runs. Admin only.
enum StatusRoutes {
    /// How long after its last presence row a worker still counts as seen.
    static let recent: Int64 = 5 * 60 * 1_000_000
    /// How many failed runs the overview lists.
    static let failedRuns = 10
    /// The runs-per-minute chart: 60 one-minute buckets.
    static let minutes = 60

    static let schema: JSONValue = [
        "type": "object", "required": ["generatedAt", "workers", "leases", "queues", "runsPerMinute", "latestFailedRuns"],
        "properties": [
            "generatedAt": ["type": "string", "format": "date-time"],
            "workers": [
                "type": "array",
                "items": [
                    "type": "object", "required": ["id", "role", "queue", "busy", "lastSeenAt"],
                    "properties": [
                        "id": ["type": "string"], "role": ["type": "string", "enum": ["instant-worker", "queued-worker"]],
                        "queue": ["type": "string", "enum": BackgroundJobRoutes.queues], "busy": ["type": "boolean"],
                        "lastSeenAt": ["type": "string", "format": "date-time"],
                    ],
                ],
            ],
            "leases": [
                "type": "array",
                "items": [
                    "type": "object", "required": ["name", "holder", "expiresAt"],
                    "properties": [
                        "name": ["type": "string", "description": "for example orchestrator (the leader)"], "holder": ["type": "string"],
                        "expiresAt": ["type": "string", "format": "date-time"],
                    ],
                ],
            ],
            "queues": BackgroundJobRoutes.queuesSchema["properties"]?["queues"] ?? [:],
            "runsPerMinute": [
                "type": "object", "required": ["since", "intervalSeconds", "counts"],
                "properties": [
                    "since": ["type": "string", "format": "date-time", "description": "the start of the first bucket"],
                    "intervalSeconds": ["type": "integer"],
                    "counts": ["type": "array", "items": ["type": "integer"], "description": "flow runs created per minute, oldest first"],
                ],
            ],
            "latestFailedRuns": ["type": "array", "items": FlowRunRoutes.runSchema],
        ],
    ]

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/status", access: .admin, operationID: "getStatus",
                summary: "Workers and leases seen recently, queue depths, flow runs per minute over the last hour, latest failed runs",
                tag: "Status", parameters: [], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                try await status(request, deps)
            }
        ]
    }

    static func status(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        let now = StoreClock.now()
        let scope = StoreScope.workspace(request.caller.workspaceID)
        let workers = try await deps.jobs.workers(since: now - recent)
        // Role leases only; per-connection leases (`connection-refresh:<id>`) are not roles.
        let leases = try await deps.jobs.leases().filter { $0.expiresAt > now && !$0.name.contains(":") }
        let counts = try await deps.jobs.counts(workspaceID: request.caller.workspaceID)
        let minute: Int64 = 60 * 1_000_000
        let since = (now / minute + 1) * minute - Int64(minutes) * minute
        let perMinute = try await deps.records.createdCounts(.flowRuns, scope: scope, since: since, interval: minute, buckets: minutes)
        let failed = try await deps.records.list(
            .flowRuns, scope: scope,
            filter: RecordFilter(includeArchived: true, documentFields: ["status": FlowRunRecord.Status.failed.rawValue], newestFirst: true),
            limit: failedRuns, cursor: nil
        )
        return [
            "generatedAt": .string(RecordJSON.timestamp(now)),
            "workers": .array(
                workers.map { worker in
                    [
                        "id": .string(worker.id), "role": .string(worker.queue == .instant ? "instant-worker" : "queued-worker"),
                        "queue": .string(worker.queue.rawValue), "busy": .bool(worker.busy),
                        "lastSeenAt": .string(RecordJSON.timestamp(worker.seenAt)),
                    ]
                }),
            "leases": .array(
                leases.map { ["name": .string($0.name), "holder": .string($0.holder), "expiresAt": .string(RecordJSON.timestamp($0.expiresAt))] }),
            "queues": BackgroundJobRoutes.queuesJSON(counts)["queues"] ?? [],
            "runsPerMinute": [
                "since": .string(RecordJSON.timestamp(since)), "intervalSeconds": 60, "counts": .array(perMinute.map { .number(Double($0)) }),
            ],
            "latestFailedRuns": .array(failed.items.map { FlowRunRoutes.json($0) }),
        ]
    }
}
