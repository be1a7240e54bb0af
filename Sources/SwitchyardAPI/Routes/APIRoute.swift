import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP
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
    /// The media types the request body may have (`application/json` for most routes; a
    /// package upload takes `application/zip` or `multipart/form-data`).
    package var requestContentTypes: [String]
    /// The media type of the success body.
    package var responseContentType: String
    package var handler: @Sendable (APIRequest) async throws(SwitchyardError) -> APIResult

    /// A JSON route: a JSON body in (when `requestSchema` is set), a JSON body out.
    init(
        method: HTTPRequest.Method, path: String, access: Access, operationID: String, summary: String, tag: String, parameters: [Parameter],
        requestSchema: JSONValue?, responseSchema: JSONValue, successStatus: Int,
        handler: @escaping @Sendable (APIRequest) async throws(SwitchyardError) -> JSONValue
    ) {
        self.init(
            method: method, path: path, access: access, operationID: operationID, summary: summary, tag: tag, parameters: parameters,
            requestSchema: requestSchema, requestContentTypes: ["application/json"], responseSchema: responseSchema,
            responseContentType: "application/json",
            successStatus: successStatus
        ) { request throws(SwitchyardError) in .json(try await handler(request)) }
    }

    /// A route with bodies of other media types: the handler gets the raw request body
    /// (``APIRequest/rawBody``) and answers with any ``APIResult``.
    init(
        method: HTTPRequest.Method, path: String, access: Access, operationID: String, summary: String, tag: String, parameters: [Parameter],
        requestSchema: JSONValue?, requestContentTypes: [String], responseSchema: JSONValue, responseContentType: String, successStatus: Int,
        result handler: @escaping @Sendable (APIRequest) async throws(SwitchyardError) -> APIResult
    ) {
        self.method = method
        self.path = path
        self.access = access
        self.operationID = operationID
        self.summary = summary
        self.tag = tag
        self.parameters = parameters
        self.requestSchema = requestSchema
        self.requestContentTypes = requestContentTypes
        self.responseSchema = responseSchema
        self.responseContentType = responseContentType
        self.successStatus = successStatus
        self.handler = handler
    }

    /// Whether the body is read as JSON (rather than handed over raw).
    var takesJSON: Bool { requestContentTypes == ["application/json"] }

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
    /// The body's bytes, for routes that take other media types than JSON.
    package var rawBody: [UInt8]? = nil
    /// The request's `Content-Type`, for routes that take several.
    package var contentType: String? = nil

    /// A path parameter (the router guarantees it is there).
    package func path(_ name: String) -> String { pathParameters[name] ?? "" }
}

/// What a handler answers: a JSON body, or a file.
package enum APIResult: Sendable {
    /// A JSON body.
    case json(JSONValue)
    /// A file download (`Content-Disposition: attachment`).
    case file([UInt8], contentType: String, filename: String)
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

    /// The list parameters plus `order` (oldest or newest first).
    static let orderedList: [Self] =
        listParameters + [.query("order", ["type": "string", "enum": ["oldest", "newest"]], "oldest first (default) or newest first")]

    /// The ordered list parameters plus a `search` substring over what is named.
    static func searchableList(_ what: String) -> [Self] {
        orderedList + [.query("search", ["type": "string", "maxLength": 200], "only objects whose \(what) contains this (case-insensitive)")]
    }
}
