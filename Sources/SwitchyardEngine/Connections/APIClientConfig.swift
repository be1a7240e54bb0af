import Foundation
import NIOHTTP1
import SwitchyardConnectors
import SwitchyardCore

/// How requests to the external API are made for one connection: base URI, headers and query
/// parameters from the connector's `makeApiClient` (a mapping or JavaScript over the
/// connection's credentials and parameters), plus what the auth type adds by itself: a bearer
/// access token for OAuth 2.0 connections whose `makeApiClient` sets no `Authorization`, an
/// OAuth 1.0a signature on every request, or the `X-Switchyard-Token` for calls to the SaaS's
/// own API. Requests go only to the hosts ``CredentialHosts`` allows.
package struct APIClientConfig: Sendable {
    package var baseURI: String?
    package var headers: [(String, String)]
    package var query: [(String, String)]
    /// Signs each request (OAuth 1.0a connections).
    package var oauth1: OAuth1Signer?
    /// Hosts besides the base URI's that may receive the credentials (the auth option's `allowedHosts`).
    package var allowedHosts: [ConnectorHostPattern] = []

    /// Creates a client.
    package init(
        baseURI: String?, headers: [(String, String)], query: [(String, String)], oauth1: OAuth1Signer? = nil,
        allowedHosts: [ConnectorHostPattern] = []
    ) {
        self.baseURI = baseURI
        self.headers = headers
        self.query = query
        self.oauth1 = oauth1
        self.allowedHosts = allowedHosts
    }

    /// What `makeApiClient` and the auth type need.
    package struct Inputs: Sendable {
        package var option: ConnectorAuthOption
        /// `credentials`, `connectorParameters`, `parameters`.
        package var variables: JSONValue
        package var functions: ConnectorFunctionRunner
        package var workspaceID: String
        package var tenantID: String?
        /// The `X-Switchyard-Token` (only for `switchyard-token` auth).
        package var switchyardToken: String?
    }

    /// Computes the client of a connection.
    /// - Throws: `bad_request` for a `makeApiClient` that fails or is a rest-api-mapping;
    ///   the code runner's errors for JavaScript.
    package static func make(_ inputs: Inputs) async throws(SwitchyardError) -> APIClientConfig {
        let option = inputs.option
        var variables = inputs.variables.objectValue ?? [:]
        if let token = inputs.switchyardToken { variables["switchyardToken"] = .string(token) }
        var config = APIClientConfig(baseURI: nil, headers: [], query: [])
        if let function = option.functions[.makeApiClient] {
            if case .restAPIMapping = function.implementation {
                throw SwitchyardError(.badRequest, "\(function.file): makeApiClient must be a mapping or JavaScript, not a rest-api-mapping")
            }
            let value = try await inputs.functions.run(
                function, name: "makeApiClient",
                context: .init(workspaceID: inputs.workspaceID, tenantID: inputs.tenantID, variables: .object(variables), transport: nil)
            )
            config = try Self.config(value, file: function.file)
        }
        config.allowedHosts = option.allowedHosts
        // The documented default: an OAuth 2.0 client that sets no Authorization sends the access token.
        if option.type == .oauth2, !config.headers.contains(where: { $0.0.lowercased() == "authorization" }),
            let token = variables["credentials"]?["access_token"]?.stringValue
        {
            config.headers.append(("Authorization", "Bearer \(token)"))
        }
        switch option.type {
        case .oauth1:
            let parameters = variables["connectorParameters"]
            let credentials = variables["credentials"]
            config.oauth1 = OAuth1Signer(
                consumerKey: parameters?["consumerKey"]?.stringValue ?? parameters?["clientId"]?.stringValue ?? "",
                consumerSecret: parameters?["consumerSecret"]?.stringValue ?? parameters?["clientSecret"]?.stringValue ?? "",
                token: credentials?["oauth_token"]?.stringValue, tokenSecret: credentials?["oauth_token_secret"]?.stringValue ?? ""
            )
        case .switchyardToken:
            if let token = inputs.switchyardToken, !config.headers.contains(where: { $0.0.lowercased() == "x-switchyard-token" }) {
                config.headers.append(("X-Switchyard-Token", token))
            }
            if config.baseURI == nil { config.baseURI = variables["connectorParameters"]?["baseUri"]?.stringValue }
        default: break
        }
        return config
    }

    /// The client a `makeApiClient` result describes: `baseUri`, `headers`, `query`, and
    /// `auth` (`bearer`, or `username` and `password` for HTTP Basic).
    static func config(_ value: JSONValue, file: String) throws(SwitchyardError) -> APIClientConfig {
        guard case .object = value else {
            throw SwitchyardError(
                .badRequest,
                "\(file): makeApiClient must return an object with baseUri, headers, query or auth; it returned \(value.jsonText.prefix(100))")
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
                throw SwitchyardError(.badRequest, "the connector gives no baseUri, so the request needs a full URL, not \(target)")
            }
            url = (base.hasSuffix("/") ? String(base.dropLast()) : base) + (target.hasPrefix("/") ? target : "/" + target)
        }
        var parts: [String] = []
        if let extra, !extra.isEmpty { parts.append(extra) }
        if !query.isEmpty { parts.append(PercentEncoding.query(query)) }
        if !parts.isEmpty { url += (url.contains("?") ? "&" : "?") + parts.joined(separator: "&") }
        return url
    }

    /// The outbound request for a call: URL, the client's headers over the call's, and an
    /// OAuth 1.0a signature when the connection signs. Every request with a client's auth is
    /// made here, so this is where the credentials' hosts are enforced.
    /// - Throws: `access_denied` naming the host when the URL goes to a host other than the
    ///   base URI's and the connector's `allowedHosts`; `bad_request` when the URL cannot be
    ///   sent (or, for OAuth 1.0a, signed), naming what is wrong with it.
    package func request(for call: ExternalCall, secrets: [String], tags: [String: String]) throws(SwitchyardError) -> OutboundRequest {
        let url = try url(for: call.target, query: call.query)
        try CredentialHosts(baseURI: baseURI, allowed: allowedHosts).check(url, target: call.target)
        var headers = call.headers
        for (name, value) in self.headers { headers.replaceOrAdd(name: name, value: value) }
        var secrets = secrets + self.headers.filter { ["authorization", "x-switchyard-token"].contains($0.0.lowercased()) }.map(\.1)
        if let oauth1 {
            guard let parsed = URL(string: url), parsed.host?.isEmpty == false else {
                throw SwitchyardError(
                    .badRequest,
                    "cannot sign the OAuth 1.0a request to \(call.target): its URL does not parse as an absolute http(s) URL with a host",
                    data: ["target": call.target]
                )
            }
            var form: [(String, String)] = []
            if headers.first(name: "Content-Type")?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true, let body = call.body {
                form = OAuth1Signer.formParameters(String(decoding: body, as: UTF8.self))
            }
            let authorization = oauth1.authorization(method: call.method.rawValue, url: parsed, formParameters: form)
            headers.replaceOrAdd(name: "Authorization", value: authorization)
            secrets.append(authorization)
        }
        return OutboundRequest(method: call.method, url: url, headers: headers, body: call.body, secrets: secrets, tags: tags)
    }

    /// `text` percent-encoded as in a query string (RFC 3986 unreserved characters kept).
    static func encode(_ text: String) -> String { PercentEncoding.encode(text) }
}
