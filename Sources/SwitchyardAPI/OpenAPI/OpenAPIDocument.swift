import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP

/// The OpenAPI 3.1 document at `/openapi.json`, built from the same route table the router
/// serves, plus the operational endpoints (health, metrics) each role adds.
package enum OpenAPIDocument {
    /// An endpoint outside the REST API (health, metrics, the code runner's internal API).
    package struct Operational: Sendable {
        package var method: String
        package var path: String
        package var summary: String
        package var contentType: String
        /// Descriptions of the path parameters (every `{name}` in the path is declared, with
        /// this description when one is given).
        package var parameters: [(name: String, summary: String)]
        /// The answers by status (`default` for any), each with `contentType`; `nil` for a
        /// plain 200.
        package var responses: [String: String]?
        /// Whether it takes the API's bearer token.
        package var secured: Bool

        /// Describes an operational endpoint.
        package init(
            method: String, path: String, summary: String, contentType: String, parameters: [(name: String, summary: String)] = [],
            responses: [String: String]? = nil, secured: Bool = false
        ) {
            self.method = method
            self.path = path
            self.summary = summary
            self.contentType = contentType
            self.parameters = parameters
            self.responses = responses
            self.secured = secured
        }
    }

    static let errorStatuses: [(String, String)] = [
        ("400", "bad_request: the request is malformed or fails validation"), ("401", "not_authenticated: no valid token"),
        ("403", "access_denied: the token may not do this"), ("404", "not_found: no such object, or not the caller's"),
        ("409", "already_exists or conflict"), ("413", "too_large"), ("429", "rate_limit_exceeded: retry after Retry-After seconds"),
        ("500", "internal"), ("503", "unavailable: a dependency is down for now; retry"), ("504", "timeout: the request took longer than its limit"),
    ]

    /// Builds the document.
    package static func build(routes: [APIRoute], operational: [Operational], version: String) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for route in routes {
            var operation: [String: JSONValue] = [
                "operationId": .string(route.operationID), "summary": .string(route.summary), "tags": [.string(route.tag)],
                "security": [["bearer": []]],
                "x-access": .string(route.access.rawValue),
            ]
            if !route.parameters.isEmpty {
                operation["parameters"] = .array(
                    route.parameters.map { parameter in
                        [
                            "name": .string(parameter.name), "in": .string(parameter.location), "required": .bool(parameter.required),
                            "description": .string(parameter.summary), "schema": parameter.schema,
                        ]
                    })
            }
            if let schema = route.requestSchema {
                // A route that takes several media types describes each in its own schema.
                let content =
                    route.takesJSON
                    ? ["application/json": ["schema": schema]]
                    : Dictionary(
                        uniqueKeysWithValues: route.requestContentTypes.map { type -> (String, JSONValue) in
                            (type, ["schema": schema[type] ?? schema])
                        })
                operation["requestBody"] = ["required": true, "content": .object(content)]
            }
            var responses: [String: JSONValue] = [
                String(route.successStatus): [
                    "description": "success", "content": .object([route.responseContentType: ["schema": route.responseSchema]]),
                ]
            ]
            for (status, description) in errorStatuses {
                responses[status] = [
                    "description": .string(description), "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
                ]
            }
            operation["responses"] = .object(responses)
            paths[route.path, default: [:]][route.method.rawValue.lowercased()] = .object(operation)
        }
        for endpoint in operational {
            paths[endpoint.path, default: [:]][endpoint.method.lowercased()] = operation(endpoint)
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "Switchyard API", "version": .string(version)],
            "paths": .object(paths.mapValues { JSONValue.object($0) }),
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]],
                "schemas": [
                    "Error": [
                        "type": "object", "required": ["type", "key", "message"],
                        "properties": [
                            "type": ["type": "string", "enum": .array(HTTPStatusMapping.ErrorType.allCases.map { .string($0.rawValue) })],
                            "key": ["type": "string", "enum": .array(HTTPStatusMapping.keys.map { .string($0.rawValue) })],
                            "message": ["type": "string"],
                            "data": ["type": "object", "additionalProperties": ["type": "string"]],
                        ],
                    ]
                ],
            ],
        ]
    }

    /// The operation of an operational endpoint: its path parameters declared, its answers as
    /// it describes them.
    private static func operation(_ endpoint: Operational) -> JSONValue {
        var operation: [String: JSONValue] = ["summary": .string(endpoint.summary), "tags": ["Operations"]]
        let names = endpoint.path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) }
        if !names.isEmpty {
            operation["parameters"] = .array(
                names.map { name in
                    let summary = endpoint.parameters.first { $0.name == name }?.summary ?? name
                    return [
                        "name": .string(name), "in": "path", "required": true, "description": .string(summary),
                        "schema": ["type": "string", "minLength": 1],
                    ]
                })
        }
        var responses: [String: JSONValue] = [:]
        for (status, description) in endpoint.responses ?? ["200": "success"] {
            var content: [String: JSONValue] = [endpoint.contentType: ["schema": [:]]]
            // Switchyard's own errors are JSON, whatever the endpoint answers otherwise (an
            // endpoint that answers any media type, the proxy, covers them already).
            if endpoint.contentType != "*/*", status.hasPrefix("4") || status.hasPrefix("5") {
                content["application/json"] = ["schema": ["$ref": "#/components/schemas/Error"]]
            }
            responses[status] = ["description": .string(description), "content": .object(content)]
        }
        operation["responses"] = .object(responses)
        if endpoint.secured { operation["security"] = [["bearer": []]] }
        return .object(operation)
    }
}
