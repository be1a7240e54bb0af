import HTTPTypes
import SwitchyardCore
import SwitchyardStore

/// `/external-api-logs`: every request Switchyard sent to an external API for a connection,
/// redacted before it was stored. Tenants see their own; admins see the workspace's.
enum ExternalAPILogRoutes {
    static let schema = RecordJSON.schema([
        "method": ["type": "string"], "url": ["type": "string"], "status": ["type": "integer"], "error": ["type": "string"],
        "connectionId": ["type": "string"], "attempt": ["type": "integer"], "durationMs": ["type": "integer"], "requestId": ["type": "string"],
    ])

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/external-api-logs", access: .any, operationID: "listExternalApiLogs",
                summary: "List external API requests, oldest first (order=newest for newest first)",
                tag: "Logs",
                parameters: APIRoute.Parameter.searchableList("URL") + [
                    .query("connectionId", ["type": "string"], "only this connection's requests"),
                    .query("customerId", ["type": "string"], "only this customer's requests (its id or internalId)"),
                ],
                requestSchema: nil, responseSchema: RecordJSON.listSchema(schema), successStatus: 200
            ) { request throws(SwitchyardError) in
                let query = try ListQuery(request.query)
                let tenant = try await CustomerRoutes.filterID(request.query["customerId"], request, deps)
                let page = try await deps.records.list(
                    .externalAPILogs, scope: request.caller.scope,
                    filter: query.filter(RecordFilter(parentID: request.query["connectionId"], tenantID: tenant), searchFields: ["url"]),
                    limit: query.limit, cursor: query.cursor
                )
                return RecordJSON.list(page) { RecordJSON.object($0) }
            },
            APIRoute(
                method: .get, path: "/external-api-logs/{id}", access: .any, operationID: "getExternalApiLog",
                summary: "Get one external API request", tag: "Logs",
                parameters: [.path("id", "the log record's id")], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                RecordJSON.object(try await deps.records.get(.externalAPILogs, id: request.path("id"), scope: request.caller.scope))
            },
        ]
    }
}
