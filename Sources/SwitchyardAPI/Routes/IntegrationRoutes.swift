import HTTPTypes
import SwitchyardCore
import SwitchyardStore

/// `/integrations`: admins create and change them; tenants read them, each seeing its own
/// connection to the integration, if any.
enum IntegrationRoutes {
    static let schema = RecordJSON.schema([
        "name": ["type": "string"], "connectorId": ["type": "string"], "parameters": ["type": "object"],
        "connection": ConnectionRoutes.schema,
    ])

    static let properties: JSONValue = [
        "key": ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^./]+$"], "name": ["type": "string", "minLength": 1, "maxLength": 200],
        "connectorId": ["type": "string", "minLength": 1, "maxLength": 200], "parameters": ["type": "object"],
    ]
    static let createBody: JSONValue = ["type": "object", "additionalProperties": false, "required": ["key", "name"], "properties": properties]
    static let updateBody: JSONValue = ["type": "object", "additionalProperties": false, "properties": properties]

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/integrations", access: .any, operationID: "listIntegrations", summary: "List integrations", tag: "Integrations",
                parameters: APIRoute.Parameter.listParameters, requestSchema: nil, responseSchema: RecordJSON.listSchema(schema), successStatus: 200
            ) { request throws(SwitchyardError) in
                let query = try ListQuery(request.query)
                let scope = request.caller.scope
                let page = try await deps.records.list(
                    .integrations, scope: scope, filter: RecordFilter(includeArchived: query.includeArchived), limit: query.limit, cursor: query.cursor
                )
                var connections: [String: Record] = [:]
                if request.caller.tenantID != nil {
                    for connection in try await deps.records.list(.connections, scope: scope, filter: RecordFilter(), limit: 1000, cursor: nil).items {
                        if let parent = connection.parentID, connections[parent] == nil { connections[parent] = connection }
                    }
                }
                return RecordJSON.list(page) { record in json(record, connection: connections[record.id]) }
            },
            APIRoute(
                method: .post, path: "/integrations", access: .admin, operationID: "createIntegration", summary: "Create an integration", tag: "Integrations",
                parameters: [], requestSchema: createBody, responseSchema: schema, successStatus: 201
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body, allowed: ["key", "name", "connectorId", "parameters"])
                let key = reader.string("key", required: true, maxLength: 100)
                let name = reader.string("name", required: true)
                let connectorID = reader.string("connectorId")
                let parameters = reader.object("parameters")
                if let key, key.contains(".") || key.contains("/") { reader.reject("key", "must not contain . or /") }
                try reader.finish()
                if let connectorID { _ = try await ElementSelector.resolve(.connectors, connectorID, scope: request.caller.scope, records: deps.records) }
                var document: [String: JSONValue] = ["name": .string(name!)]
                if let connectorID { document["connectorId"] = .string(connectorID) }
                if let parameters { document["parameters"] = parameters }
                let record = try await deps.records.insertKeyed(
                    NewRecord(kind: .integrations, key: key, document: .object(document)), scope: request.caller.scope, what: "an integration"
                )
                return json(record, connection: nil)
            },
            APIRoute(
                method: .get, path: "/integrations/{selector}", access: .any, operationID: "getIntegration", summary: "Get an integration by id or key", tag: "Integrations",
                parameters: [.path("selector", "the integration's id or key"), .query("includeArchived", ["type": "boolean"], "also find an archived one")], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let record = try await ElementSelector.resolve(
                    .integrations, request.path("selector"), scope: request.caller.scope, records: deps.records, includeArchived: try ListQuery(request.query).includeArchived
                )
                var connection: Record?
                if request.caller.tenantID != nil {
                    connection = try await deps.records.list(.connections, scope: request.caller.scope, filter: RecordFilter(parentID: record.id), limit: 1, cursor: nil).items.first
                }
                return json(record, connection: connection)
            },
            APIRoute(
                method: .patch, path: "/integrations/{selector}", access: .admin, operationID: "updateIntegration", summary: "Change an integration", tag: "Integrations",
                parameters: [.path("selector", "the integration's id or key")], requestSchema: updateBody, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body, allowed: ["key", "name", "connectorId", "parameters"])
                let key = reader.string("key", maxLength: 100)
                if let key, key.contains(".") || key.contains("/") { reader.reject("key", "must not contain . or /") }
                let name = reader.string("name")
                let connectorID = reader.string("connectorId")
                let parameters = reader.object("parameters")
                try reader.finish()
                let existing = try await ElementSelector.resolve(.integrations, request.path("selector"), scope: request.caller.scope, records: deps.records)
                let record = try await deps.records.update(.integrations, id: existing.id, scope: request.caller.scope, expectedRevision: nil) { record in
                    if let key { record.key = key }
                    guard case .object(var document) = record.document else { return }
                    if let name { document["name"] = .string(name) }
                    if let connectorID { document["connectorId"] = .string(connectorID) }
                    if let parameters { document["parameters"] = parameters }
                    record.document = .object(document)
                }
                return json(record, connection: nil)
            },
            APIRoute(
                method: .delete, path: "/integrations/{selector}", access: .admin, operationID: "archiveIntegration", summary: "Archive an integration", tag: "Integrations",
                parameters: [.path("selector", "the integration's id or key")], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let existing = try await ElementSelector.resolve(.integrations, request.path("selector"), scope: request.caller.scope, records: deps.records)
                return json(try await deps.records.archive(.integrations, id: existing.id, scope: request.caller.scope), connection: nil)
            },
        ]
    }

    static func json(_ record: Record, connection: Record?) -> JSONValue {
        RecordJSON.object(record, extra: connection.map { ["connection": ConnectionRoutes.json($0)] } ?? [:])
    }
}
