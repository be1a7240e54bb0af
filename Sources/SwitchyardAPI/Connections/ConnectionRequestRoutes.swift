import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// `/connection-requests`: headless connect flows. The SaaS backend (with the tenant's token)
/// creates a request and gets a `url` to open for the user, which needs no token; the request's
/// `status` (`created`, `pending`, `success`, `error`, `expired`) and `resultConnectionId` say
/// how the flow went.
enum ConnectionRequestRoutes {
    static let schema = RecordJSON.schema([
        "integrationId": ["type": "string"],
        "status": ["type": "string", "enum": ["created", "pending", "exchanging", "success", "error", "expired"]],
        "url": ["type": "string"], "connectionId": ["type": "string"], "name": ["type": "string"], "authOptionKey": ["type": "string"],
        "allowMultipleConnections": ["type": "boolean"], "customState": ["type": "string"], "redirectUri": ["type": "string"],
        "resultConnectionId": ["type": "string"], "resultError": ["type": "string"], "expiresAt": ["type": "number"],
    ])

    static let fields: Set<String> = [
        "integrationKey", "integrationId", "connectionId", "name", "authOptionKey", "allowMultipleConnections", "customState", "redirectUri",
    ]
    static let createBody: JSONValue = [
        "type": "object", "additionalProperties": false,
        "properties": [
            "integrationKey": ["type": "string", "minLength": 1, "maxLength": 200],
            "integrationId": ["type": "string", "minLength": 1, "maxLength": 200],
            "connectionId": ["type": "string", "minLength": 1, "maxLength": 200], "name": ["type": "string", "minLength": 1, "maxLength": 200],
            "authOptionKey": ["type": "string", "minLength": 1, "maxLength": 200], "allowMultipleConnections": ["type": "boolean"],
            "customState": ["type": "string", "minLength": 1, "maxLength": 2000],
            "redirectUri": ["type": "string", "minLength": 1, "maxLength": 2000, "pattern": "^https?://"],
        ],
        "anyOf": [["required": ["integrationKey"]], ["required": ["integrationId"]]],
    ]

    static func json(_ record: Record, url: String? = nil) -> JSONValue {
        var extra: [String: JSONValue] = [:]
        if let url { extra["url"] = .string(url) }
        guard case .object(var object) = RecordJSON.object(record, extra: extra) else { return .null }
        object["integration"] = nil
        object["oauth1Token"] = nil
        object["authType"] = nil
        return .object(object)
    }

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .post, path: "/connection-requests", access: .any, operationID: "createConnectionRequest",
                summary: "Create a connection request: a link that runs the connect flow for the caller's tenant without a token", tag: "Connections",
                parameters: [], requestSchema: createBody, responseSchema: schema, successStatus: 201
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body, allowed: fields)
                let integration = reader.string("integrationId") ?? reader.string("integrationKey")
                if integration == nil, reader.problems["integrationId"] == nil, reader.problems["integrationKey"] == nil {
                    reader.reject("integrationKey", "is required (or integrationId)")
                }
                var connect = ConnectRequest(integration: integration ?? "")
                connect.connectionID = reader.string("connectionId")
                connect.name = reader.string("name")
                connect.authOptionKey = reader.string("authOptionKey")
                connect.allowMultipleConnections = reader.bool("allowMultipleConnections") ?? false
                connect.customState = reader.string("customState", maxLength: 2000)
                connect.redirectURI = reader.string("redirectUri", maxLength: 2000)
                if let redirect = connect.redirectURI, !(redirect.hasPrefix("http://") || redirect.hasPrefix("https://")) {
                    reader.reject("redirectUri", "must be an http(s) URL")
                }
                try reader.finish()
                if request.caller.tenantID == nil {
                    throw SwitchyardError(.accessDenied, "connection requests are made with a tenant token (a connection belongs to one tenant)")
                }
                let (record, url) = try await deps.require(deps.connect).createRequest(connect, scope: request.caller.scope)
                return json(record, url: url)
            },
            APIRoute(
                method: .get, path: "/connection-requests/{id}", access: .any, operationID: "getConnectionRequest",
                summary: "Get a connection request: its status and, once connected, resultConnectionId", tag: "Connections",
                parameters: [.path("id", "the request's id")], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                json(ConnectFlow.presented(try await deps.records.get(.connectionRequests, id: request.path("id"), scope: request.caller.scope)))
            },
        ]
    }
}
