import Foundation
import SwitchyardConnectors
import SwitchyardCore

/// How requests to the external API are made for one connection: base URI, headers and query
/// parameters, computed by the connector's `makeApiClient` mapping from the connection's
/// credentials and parameters (OAuth 2.0 connectors without one send the access token as a
/// bearer token).
package struct APIClientConfig: Sendable, Equatable {
    package var baseURI: String?
    package var headers: [(String, String)]
    package var query: [(String, String)]

    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.baseURI == rhs.baseURI && lhs.headers.elementsEqual(rhs.headers, by: ==) && lhs.query.elementsEqual(rhs.query, by: ==)
    }

    /// Evaluates `makeApiClient` for a connection.
    /// - Parameters:
    ///   - variables: `credentials`, `connectorParameters`, `parameters`.
    /// - Throws: `not_supported` for a JavaScript `makeApiClient` (the code runner is not wired to
    ///   it yet), `bad_request` for a mapping that fails or yields the wrong shape.
    package static func make(_ option: ConnectorAuthOption, variables: JSONValue) throws(SwitchyardError) -> APIClientConfig {
        guard let function = option.functions[.makeApiClient] else {
            var config = APIClientConfig(baseURI: nil, headers: [], query: [])
            if let token = variables["credentials"]?["access_token"]?.stringValue { config.headers.append(("Authorization", "Bearer \(token)")) }
            return config
        }
        let value: JSONValue
        switch function.implementation {
        case .mapping(let mapping):
            do {
                value = try Formula.evaluate(mapping, variables: variables)
            } catch {
                throw SwitchyardError(.badRequest, "\(function.file): makeApiClient: \(error.message) (at \(error.path))")
            }
        case .restAPIMapping:
            throw SwitchyardError(.badRequest, "\(function.file): makeApiClient must be a mapping or JavaScript, not a rest-api-mapping")
        case .javascript:
            throw SwitchyardError(.notSupported, "\(function.file): a JavaScript makeApiClient is not supported yet; write it as a mapping")
        }
        var config = APIClientConfig(baseURI: value["baseUri"]?.stringValue, headers: [], query: [])
        if case .object(let headers)? = value["headers"] {
            for (name, header) in headers.sorted(by: { $0.key < $1.key }) { if let text = Self.text(header) { config.headers.append((name, text)) } }
        }
        if case .object(let query)? = value["query"] {
            for (name, item) in query.sorted(by: { $0.key < $1.key }) { if let text = Self.text(item) { config.query.append((name, text)) } }
        }
        if let token = value["auth"]?["bearer"]?.stringValue { config.headers.append(("Authorization", "Bearer \(token)")) }
        if let user = value["auth"]?["username"]?.stringValue {
            let password = value["auth"]?["password"]?.stringValue ?? ""
            config.headers.append(("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()))
        }
        return config
    }

    private static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .number, .bool: value.jsonText
        default: nil
        }
    }

    /// The URL of a request: a full URL as given, or a path appended to the base URI; the
    /// config's query parameters are added.
    /// - Throws: `bad_request` when a relative path has no base URI to go with.
    package func url(for target: String, query extra: String?) throws(SwitchyardError) -> String {
        var url: String
        if target.hasPrefix("http://") || target.hasPrefix("https://") {
            url = target
        } else {
            guard let base = baseURI, !base.isEmpty else {
                throw SwitchyardError(.badRequest, "the connector gives no baseUri, so the proxy needs a full URL, not \(target)")
            }
            url = (base.hasSuffix("/") ? String(base.dropLast()) : base) + (target.hasPrefix("/") ? target : "/" + target)
        }
        var parts: [String] = []
        if let extra, !extra.isEmpty { parts.append(extra) }
        for (name, value) in query { parts.append("\(Self.encode(name))=\(Self.encode(value))") }
        if !parts.isEmpty { url += (url.contains("?") ? "&" : "?") + parts.joined(separator: "&") }
        return url
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
