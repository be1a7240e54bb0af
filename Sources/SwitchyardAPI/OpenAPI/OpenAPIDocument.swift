import HTTPTypes
import SwitchyardCore

/// The OpenAPI 3.1 document at `/openapi.json`, built from the same route table the router
/// serves, plus the operational endpoints (health, metrics) each role adds.
package enum OpenAPIDocument {
    /// An endpoint outside the REST API (health, metrics, the code runner's internal API).
    package struct Operational: Sendable {
        package var method: String
        package var path: String
        package var summary: String
        package var contentType: String

        /// Describes an operational endpoint.
        package init(method: String, path: String, summary: String, contentType: String) {
            self.method = method
            self.path = path
            self.summary = summary
            self.contentType = contentType
        }
    }

    static let errorStatuses: [(String, String)] = [
        ("400", "bad_request: the request is malformed or fails validation"), ("401", "not_authenticated: no valid token"),
        ("403", "access_denied: the token may not do this"), ("404", "not_found: no such object, or not the caller's"),
        ("409", "already_exists or conflict"), ("413", "too_large"), ("429", "rate_limit_exceeded: retry after Retry-After seconds"),
        ("500", "internal"),
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
                operation["parameters"] = .array(route.parameters.map { parameter in
                    [
                        "name": .string(parameter.name), "in": .string(parameter.location), "required": .bool(parameter.required),
                        "description": .string(parameter.summary), "schema": parameter.schema,
                    ]
                })
            }
            if let schema = route.requestSchema {
                // A route that takes several media types describes each in its own schema.
                let content = route.takesJSON
                    ? ["application/json": ["schema": schema]]
                    : Dictionary(uniqueKeysWithValues: route.requestContentTypes.map { type -> (String, JSONValue) in (type, ["schema": schema[type] ?? schema]) })
                operation["requestBody"] = ["required": true, "content": .object(content)]
            }
            var responses: [String: JSONValue] = [
                String(route.successStatus): ["description": "success", "content": .object([route.responseContentType: ["schema": route.responseSchema]])]
            ]
            for (status, description) in errorStatuses {
                responses[status] = ["description": .string(description), "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
            }
            operation["responses"] = .object(responses)
            paths[route.path, default: [:]][route.method.rawValue.lowercased()] = .object(operation)
        }
        for endpoint in operational {
            let operation: JSONValue = [
                "summary": .string(endpoint.summary), "tags": ["Operations"],
                "responses": ["200": ["description": "success", "content": .object([endpoint.contentType: ["schema": [:]]])]],
            ]
            paths[endpoint.path, default: [:]][endpoint.method.lowercased()] = operation
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
                            "type": ["type": "string"], "key": ["type": "string"], "message": ["type": "string"],
                            "data": ["type": "object", "additionalProperties": ["type": "string"]],
                        ],
                    ]
                ],
            ],
        ]
    }
}
