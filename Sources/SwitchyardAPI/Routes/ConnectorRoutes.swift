import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore

/// `/connectors`: create, read and list (packages and uploads come with the connectors issue).
enum ConnectorRoutes {
    static let schema = RecordJSON.schema(["name": ["type": "string"], "authType": ["type": "string"], "baseUri": ["type": "string"]])

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/connectors", access: .any, operationID: "listConnectors", summary: "List connectors", tag: "Connectors",
                parameters: APIRoute.Parameter.searchableList("key or name"), requestSchema: nil, responseSchema: RecordJSON.listSchema(schema),
                successStatus: 200
            ) { request throws(SwitchyardError) in
                let query = try ListQuery(request.query)
                let page = try await deps.records.list(
                    .connectors, scope: request.caller.scope, filter: query.filter(searchFields: ["name"]), limit: query.limit,
                    cursor: query.cursor
                )
                return RecordJSON.list(page) { RecordJSON.object($0) }
            },
            APIRoute(
                method: .post, path: "/connectors", access: .admin, operationID: "createConnector", summary: "Create a connector", tag: "Connectors",
                parameters: [],
                requestSchema: [
                    "type": "object", "additionalProperties": false, "required": ["key", "name"],
                    "properties": [
                        "key": ["type": "string", "minLength": 1, "maxLength": 100], "name": ["type": "string", "minLength": 1, "maxLength": 200],
                        "authType": ["type": "string", "enum": ["oauth2", "oauth1", "api-key", "basic", "none"]],
                        "baseUri": ["type": "string", "minLength": 1, "maxLength": 2000],
                    ],
                ],
                responseSchema: schema, successStatus: 201
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body, allowed: ["key", "name", "authType", "baseUri"])
                let key = reader.string("key", required: true, maxLength: 100)
                let name = reader.string("name", required: true)
                let authType = reader.string("authType")
                let baseURI = reader.string("baseUri", maxLength: 2000)
                if let authType, !["oauth2", "oauth1", "api-key", "basic", "none"].contains(authType) {
                    reader.reject("authType", "must be one of oauth2, oauth1, api-key, basic, none")
                }
                try reader.finish()
                var document = ConnectorDocument(name: name!, authType: authType ?? "none")
                document.baseURI = baseURI
                return RecordJSON.object(
                    try await deps.records.insertKeyed(
                        NewRecord(kind: .connectors, key: key, document: document.json), scope: request.caller.scope, what: "a connector")
                )
            },
            APIRoute(
                method: .get, path: "/connectors/{id}", access: .any, operationID: "getConnector", summary: "Get a connector by id or key",
                tag: "Connectors",
                parameters: [.path("id", "the connector's id or key"), .query("includeArchived", ["type": "boolean"], "also find an archived one")],
                requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                RecordJSON.object(
                    try await ElementSelector.resolve(
                        .connectors, request.path("id"), scope: request.caller.scope, records: deps.records,
                        includeArchived: try ListQuery(request.query).includeArchived
                    )
                )
            },
        ]
    }
}
