import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// The logs of the data plane: `/external-event-pulls` (every pull of a data source instance,
/// with its counts, cursor, skipped records and error) and `/external-events` (every record
/// change a pull found, with the flow runs it started). Tenants see their own.
enum ExternalEventRoutes {
    static let pullSchema: JSONValue = [
        "type": "object", "required": ["id", "dataSourceInstanceId", "mode", "status"],
        "properties": [
            "id": ["type": "string"], "dataSourceInstanceId": ["type": "string"], "connectionId": ["type": "string"],
            "collectionKey": ["type": "string"], "mode": ["type": "string", "enum": ["incremental", "full"]],
            "status": ["type": "string", "enum": ["running", "completed", "failed"]], "baseline": ["type": "boolean"],
            "pages": ["type": "integer"], "recordsSeen": ["type": "integer"], "created": ["type": "integer"], "updated": ["type": "integer"],
            "deleted": ["type": "integer"], "skipped": ["type": "integer"], "skippedReasons": ["type": "array", "items": ["type": "string"]],
            "flowRunIds": ["type": "array", "items": ["type": "string"]], "cursor": ["type": "string"], "error": ["type": "string"],
            "startedAt": ["type": "string", "format": "date-time"], "finishedAt": ["type": "string", "format": "date-time"],
            "durationMs": ["type": "integer"],
        ],
    ]
    static let eventSchema: JSONValue = RecordJSON.schema([
        "type": ["type": "string"], "collectionKey": ["type": "string"], "record": ["type": "object"], "connectionId": ["type": "string"],
        "dataSourceInstanceId": ["type": "string"], "pullId": ["type": "string"], "source": ["type": "string"],
        "flowRunIds": ["type": "array", "items": ["type": "string"]], "receivedAt": ["type": "string", "format": "date-time"],
    ])

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/external-event-pulls", access: .any, operationID: "listExternalEventPulls",
                summary: "List pulls of data source instances, newest first", tag: "Data sources",
                parameters: [
                    .query("limit", ["type": "integer", "minimum": 1, "maximum": 1000], "page size (default 100)"),
                    .query("cursor", ["type": "string"], "the cursor of the previous page"),
                    .query("dataSourceInstanceId", ["type": "string"], "only this instance's pulls"),
                    .query("connectionId", ["type": "string"], "only this connection's pulls"),
                ],
                requestSchema: nil, responseSchema: RecordJSON.listSchema(pullSchema), successStatus: 200
            ) { request throws(SwitchyardError) in
                let page = try await newest(.externalEventPulls, request, deps, fields: ["dataSourceInstanceId", "connectionId"])
                var items: [JSONValue] = []
                for record in page.items { items.append(try DataSourcePull(record).json) }
                var members: [String: JSONValue] = ["items": .array(items)]
                if let cursor = page.cursor { members["cursor"] = .string(cursor) }
                return .object(members)
            },
            APIRoute(
                method: .get, path: "/external-event-pulls/{id}", access: .any, operationID: "getExternalEventPull", summary: "Get a pull",
                tag: "Data sources", parameters: [.path("id", "the pull's id")], requestSchema: nil, responseSchema: pullSchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                try DataSourcePull(try await deps.records.get(.externalEventPulls, id: request.path("id"), scope: request.caller.scope)).json
            },
            APIRoute(
                method: .get, path: "/external-events", access: .any, operationID: "listExternalEvents",
                summary: "List record changes found by pulls, newest first", tag: "Data sources",
                parameters: [
                    .query("limit", ["type": "integer", "minimum": 1, "maximum": 1000], "page size (default 100)"),
                    .query("cursor", ["type": "string"], "the cursor of the previous page"),
                    .query("pullId", ["type": "string"], "only this pull's events"),
                    .query("dataSourceInstanceId", ["type": "string"], "only this instance's events"),
                    .query("connectionId", ["type": "string"], "only this connection's events"),
                    .query("type", ["type": "string"], "only events of this type (data-record-created, …)"),
                ],
                requestSchema: nil, responseSchema: RecordJSON.listSchema(eventSchema), successStatus: 200
            ) { request throws(SwitchyardError) in
                let page = try await newest(.externalEvents, request, deps, fields: ["pullId", "dataSourceInstanceId", "connectionId", "type"])
                return RecordJSON.list(page) { RecordJSON.object($0) }
            },
            APIRoute(
                method: .get, path: "/external-events/{id}", access: .any, operationID: "getExternalEvent", summary: "Get a record change",
                tag: "Data sources", parameters: [.path("id", "the event's id")], requestSchema: nil, responseSchema: eventSchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                RecordJSON.object(try await deps.records.get(.externalEvents, id: request.path("id"), scope: request.caller.scope))
            },
        ]
    }

    /// A page of a log, newest first, filtered by the named document fields.
    private static func newest(_ kind: RecordKind, _ request: APIRequest, _ deps: APIDependencies,
        fields: [String]) async throws(SwitchyardError) -> Page {
        var query = request.query
        query["order"] = "newest"
        let list = try ListQuery(query.filter { ["limit", "cursor", "order"].contains($0.key) })
        var filter = RecordFilter(newestFirst: true)
        for name in fields { if let value = request.query[name] { filter.documentFields[name] = value } }
        return try await deps.records.list(kind, scope: request.caller.scope, filter: list.filter(filter), limit: list.limit, cursor: list.cursor)
    }
}
