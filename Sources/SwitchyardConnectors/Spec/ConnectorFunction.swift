import SwitchyardCore

/// How a connector function is implemented.
package enum ConnectorFunctionType: String, Sendable, Hashable, CaseIterable {
    /// A JSON/YAML value of formulas, evaluated without calling the external API.
    case mapping
    /// One HTTP request to the external API: `path`, `method`, `requestMapping`, `responseMapping`.
    case restAPIMapping = "rest-api-mapping"
    /// JavaScript source exporting one function, run later by the custom code runner.
    case javascript
}

/// The HTTP methods a `rest-api-mapping` function may use.
package enum ConnectorHTTPMethod: String, Sendable, Hashable, CaseIterable {
    /// `GET`.
    case get = "GET"
    /// `POST`.
    case post = "POST"
    /// `PUT`.
    case put = "PUT"
    /// `PATCH`.
    case patch = "PATCH"
    /// `DELETE`.
    case delete = "DELETE"
}

/// A `rest-api-mapping` function: one request to the external API and how to map its response.
package struct ConnectorRestAPIMapping: Sendable, Hashable {
    /// The request path (starting with `/`, relative to the API client's base URI) or an absolute http(s) URI.
    package var path: String
    /// The HTTP method.
    package var method: ConnectorHTTPMethod
    /// Formulas for `query`, `headers`, `data` and `pathParameters`, when given.
    package var requestMapping: JSONValue?
    /// A formula over `response.data`, `response.headers`, `response.statusCode`, when given.
    package var responseMapping: JSONValue?

    /// Creates a mapping.
    /// - Parameters:
    ///   - path: The request path or URI.
    ///   - method: The HTTP method.
    ///   - requestMapping: The request formulas.
    ///   - responseMapping: The response formula.
    package init(
        path: String, method: ConnectorHTTPMethod, requestMapping: JSONValue? = nil, responseMapping: JSONValue? = nil
    ) {
        self.path = path
        self.method = method
        self.requestMapping = requestMapping
        self.responseMapping = responseMapping
    }
}

/// One function of a connector (an auth function, an operation's `run`, a collection method).
package struct ConnectorFunction: Sendable, Hashable {
    /// The implementation, by type.
    package enum Implementation: Sendable, Hashable {
        /// A value of formulas.
        case mapping(JSONValue)
        /// An HTTP request mapping.
        case restAPIMapping(ConnectorRestAPIMapping)
        /// JavaScript source text (checked non-empty and exporting a function, not run here).
        case javascript(code: String)
    }

    /// The implementation.
    package var implementation: Implementation
    /// The package file that declares the function (`spec.yml` when inline).
    package var file: String

    /// Creates a function.
    /// - Parameters:
    ///   - implementation: The implementation.
    ///   - file: The declaring file.
    package init(_ implementation: Implementation, file: String) {
        self.implementation = implementation
        self.file = file
    }

    /// The implementation type.
    package var type: ConnectorFunctionType {
        switch implementation {
        case .mapping: return .mapping
        case .restAPIMapping: return .restAPIMapping
        case .javascript: return .javascript
        }
    }

    /// The JSON form: `{type, file, ...}` with `mapping`, or `path`/`method`/`requestMapping`/`responseMapping`, or `code`.
    package var json: JSONValue {
        var object: [String: JSONValue] = ["type": .string(type.rawValue), "file": .string(file)]
        switch implementation {
        case .mapping(let mapping):
            object["mapping"] = mapping
        case .restAPIMapping(let rest):
            object["path"] = .string(rest.path)
            object["method"] = .string(rest.method.rawValue)
            if let requestMapping = rest.requestMapping { object["requestMapping"] = requestMapping }
            if let responseMapping = rest.responseMapping { object["responseMapping"] = responseMapping }
        case .javascript(let code):
            object["code"] = .string(code)
        }
        return .object(object)
    }
}
