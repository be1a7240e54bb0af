import HTTPTypes
import SwitchyardCore
import SwitchyardStore

/// One REST operation: what the router serves, what the OpenAPI document describes, and what
/// the isolation tests enumerate, all from the same value.
package struct APIRoute: Sendable {
    /// Who may call it.
    package enum Access: String, Sendable {
        /// Admin tokens only; tenant tokens get 403.
        case admin
        /// Admin and tenant tokens (tenants see their own objects and shared ones).
        case any
    }

    /// A path or query parameter.
    package struct Parameter: Sendable {
        package var name: String
        package var location: String
        package var schema: JSONValue
        package var required: Bool
        package var summary: String
    }

    package var method: HTTPRequest.Method
    /// OpenAPI style, `{name}` for path parameters.
    package var path: String
    package var access: Access
    package var operationID: String
    package var summary: String
    package var tag: String
    package var parameters: [Parameter]
    /// The JSON schema of the request body, if the operation takes one.
    package var requestSchema: JSONValue?
    /// The JSON schema of the success body.
    package var responseSchema: JSONValue
    package var successStatus: Int
    package var handler: @Sendable (APIRequest) async throws(SwitchyardError) -> JSONValue

    /// The Hummingbird form of the path (`:name` captures).
    package var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
    }
}

/// What a handler receives.
package struct APIRequest: Sendable {
    package var caller: Caller
    package var pathParameters: [String: String]
    package var query: [String: String]
    package var body: JSONValue?

    /// A path parameter (the router guarantees it is there).
    package func path(_ name: String) -> String { pathParameters[name] ?? "" }
}

/// Builders for common parameters and schemas.
extension APIRoute.Parameter {
    static func path(_ name: String, _ summary: String) -> Self {
        Self(name: name, location: "path", schema: ["type": "string", "minLength": 1], required: true, summary: summary)
    }

    static func query(_ name: String, _ schema: JSONValue, _ summary: String) -> Self {
        Self(name: name, location: "query", schema: schema, required: false, summary: summary)
    }

    static let listParameters: [Self] = [
        .query("limit", ["type": "integer", "minimum": 1, "maximum": 1000], "page size (default 100)"),
        .query("cursor", ["type": "string"], "the cursor of the previous page"),
        .query("includeArchived", ["type": "boolean"], "include archived objects"),
    ]
}
