import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// `/connections`: a tenant sees its own; an admin sees every tenant's. Credentials are never
/// part of a response.
enum ConnectionRoutes {
    static let schema = RecordJSON.schema([
        "name": ["type": "string"], "integrationId": ["type": "string"], "tenantId": ["type": "string"], "disconnected": ["type": "boolean"],
        "state": ["type": "string", "enum": ["connected", "disconnected", "error"]], "disconnectedReason": ["type": "string"],
        "credentialsRevision": ["type": "integer"], "credentialsExpiresAt": ["type": "number"], "revokeError": ["type": "string"],
    ])

    /// A connection as the API shows it; `disconnected` is read from its state, so the two
    /// always agree.
    static func json(_ record: Record) -> JSONValue {
        var extra: [String: JSONValue] = ["disconnected": .bool(record.connectionDocument.isDisconnected)]
        if let parent = record.parentID { extra["integrationId"] = .string(parent) }
        if let tenant = record.tenantID { extra["tenantId"] = .string(tenant) }
        return RecordJSON.object(record, extra: extra)
    }

    /// A connection the caller may see; archived ones only when asked for.
    static func live(_ id: String, _ request: APIRequest, _ deps: APIDependencies, includeArchived: Bool) async throws(SwitchyardError) -> Record {
        let record = try await deps.records.get(.connections, id: id, scope: request.caller.scope)
        guard includeArchived || record.archivedAt == nil else {
            throw SwitchyardError(.notFound, "connection \(id) is archived (add includeArchived=true to see it)")
        }
        return record
    }

    /// The scope a connection is written in: its tenant's (admins act on any tenant's
    /// connection in their workspace under that tenant's scope).
    static func ownerScope(_ connection: Record, _ request: APIRequest) -> StoreScope {
        connection.tenantID.map { StoreScope.tenant($0, in: request.caller.workspaceID) } ?? request.caller.scope
    }

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/connections", access: .any, operationID: "listConnections", summary: "List connections", tag: "Connections",
                parameters: APIRoute.Parameter.searchableList("key or name") + [
                    .query("integrationId", ["type": "string"], "only connections to this integration"),
                    .query("customerId", ["type": "string"], "only this customer's connections (its id or internalId)"),
                ],
                requestSchema: nil, responseSchema: RecordJSON.listSchema(schema), successStatus: 200
            ) { request throws(SwitchyardError) in
                let query = try ListQuery(request.query)
                let tenant = try await CustomerRoutes.filterID(request.query["customerId"], request, deps)
                let page = try await deps.records.list(
                    .connections, scope: request.caller.scope,
                    filter: query.filter(RecordFilter(parentID: request.query["integrationId"], tenantID: tenant), searchFields: ["name"]),
                    limit: query.limit, cursor: query.cursor
                )
                return RecordJSON.list(page, json)
            },
            APIRoute(
                method: .get, path: "/connections/{id}", access: .any, operationID: "getConnection", summary: "Get a connection", tag: "Connections",
                parameters: [.path("id", "the connection's id"), .query("includeArchived", ["type": "boolean"], "also find an archived one")],
                requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                json(try await live(request.path("id"), request, deps, includeArchived: try ListQuery(request.query).includeArchived))
            },
            APIRoute(
                method: .post, path: "/connections/{id}/refresh-credentials", access: .any, operationID: "refreshConnectionCredentials",
                summary: "Refresh the connection's credentials now (one refresh across all processes; concurrent callers share it)",
                tag: "Connections",
                parameters: [.path("id", "the connection's id")], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let existing = try await live(request.path("id"), request, deps, includeArchived: false)
                return json(
                    try await deps.require(deps.lifecycle).refresh(existing, scope: ownerScope(existing, request))
                )
            },
            APIRoute(
                method: .post, path: "/connections/{id}/test", access: .any, operationID: "testConnection",
                summary: "Run the connector's test against the connection's credentials", tag: "Connections",
                parameters: [.path("id", "the connection's id")], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let existing = try await live(request.path("id"), request, deps, includeArchived: false)
                return json(try await deps.require(deps.lifecycle).test(connectionID: existing.id, scope: request.caller.scope))
            },
            APIRoute(
                method: .post, path: "/connections/{id}/disconnect", access: .any, operationID: "disconnectConnection",
                summary: "Disconnect: revoke the credentials at the provider (when the connector can), remove them, mark the connection disconnected",
                tag: "Connections",
                parameters: [.path("id", "the connection's id")], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let existing = try await live(request.path("id"), request, deps, includeArchived: false)
                await deps.subscriptions?.removeAll(connection: existing)
                return json(try await deps.require(deps.lifecycle).disconnect(connectionID: existing.id, scope: request.caller.scope, archive: false))
            },
            APIRoute(
                method: .post, path: "/connections/{id}/operations/{key}/run", access: .any, operationID: "runConnectionOperation",
                summary: "Run one of the connector's API operations as the connection; the body is the operation's input", tag: "Connections",
                parameters: [.path("id", "the connection's id"), .path("key", "the operation's key")], requestSchema: ["type": "object"],
                responseSchema: ["type": "object", "properties": ["output": [:]], "required": ["output"]], successStatus: 200
            ) { request throws(SwitchyardError) in
                let existing = try await live(request.path("id"), request, deps, includeArchived: false)
                let input = request.body ?? [:]
                guard case .object = input else { throw SwitchyardError(.badRequest, "the body must be a JSON object (the operation's input)") }
                return [
                    "output": try await deps.require(deps.operations).runOperation(
                        connectionID: existing.id, key: request.path("key"), input: input, scope: request.caller.scope)
                ]
            },
            APIRoute(
                method: .delete, path: "/connections/{id}", access: .any, operationID: "archiveConnection",
                summary: "Archive a connection (disconnecting it first: its credentials are revoked and removed)", tag: "Connections",
                parameters: [.path("id", "the connection's id")], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let existing = try await live(request.path("id"), request, deps, includeArchived: false)
                // While the credentials still work: the provider stops sending its webhooks.
                await deps.subscriptions?.removeAll(connection: existing)
                guard let lifecycle = deps.lifecycle else {
                    return json(try await deps.records.archive(.connections, id: existing.id, scope: ownerScope(existing, request)))
                }
                return json(try await lifecycle.disconnect(connectionID: existing.id, scope: request.caller.scope, archive: true))
            },
        ]
    }
}
