import SwitchyardCore

/// How end users authenticate a connection of this connector.
package enum ConnectorAuth: Sendable, Hashable {
    /// One way to authenticate.
    case single(ConnectorAuthOption)
    /// Several named ways; the user picks one (the key is the option's key).
    case options([String: ConnectorAuthOption])

    /// The JSON form, shaped as in `spec.yml`.
    package var json: JSONValue {
        switch self {
        case .single(let option): return option.json
        case .options(let options): return ["options": .object(options.mapValues(\.json))]
        }
    }
}

/// The auth types.
package enum ConnectorAuthType: String, Sendable, Hashable, CaseIterable {
    /// User input (API key, username/password, ...) becomes the credentials.
    case clientCredentials = "client-credentials"
    /// OAuth 2.0 (authorization code with PKCE, or client credentials grant).
    case oauth2
    /// OAuth 1.0a with HMAC-SHA1 signatures.
    case oauth1
    /// Switchyard calls the product's own API with a signed Switchyard token.
    case switchyardToken = "switchyard-token"
    /// No authentication.
    case none
}

/// The auth functions a connector may declare.
package enum ConnectorAuthFunction: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Builds the API client (`baseUri`, `headers`, `query`, `auth`). Required.
    case makeApiClient
    /// Checks that a connection works.
    case test
    /// Refreshes expired credentials.
    case refreshCredentials
    /// Turns connection input into credentials.
    case getCredentialsFromConnectionParameters
    /// Computes the OAuth configuration (oauth2 and oauth1 only).
    case getOAuthConfig
    /// Post-processes the token response (oauth2 only).
    case getCredentialsFromAccessTokenResponse
    /// Revokes credentials on disconnect.
    case revoke

    /// The auth types that may declare this function.
    package var allowedTypes: Set<ConnectorAuthType> {
        switch self {
        case .getOAuthConfig: return [.oauth2, .oauth1]
        case .getCredentialsFromAccessTokenResponse: return [.oauth2]
        default: return Set(ConnectorAuthType.allCases)
        }
    }

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Where an OAuth 2.0 client sends its id and secret to the token endpoint.
package enum ConnectorOAuth2ClientAuthLocation: String, Sendable, Hashable, CaseIterable {
    /// HTTP Basic authorization header.
    case header
    /// Form fields in the request body.
    case body
}

/// The OAuth 2.0 grant.
package enum ConnectorOAuth2GrantType: String, Sendable, Hashable, CaseIterable {
    /// Authorization code (with PKCE unless `skipPkce`).
    case authorizationCode = "authorization_code"
    /// Client credentials.
    case clientCredentials = "client_credentials"
}

/// Inline OAuth 2.0 settings (each may instead come from `getOAuthConfig`).
package struct ConnectorOAuth2Config: Sendable, Hashable {
    /// The authorization endpoint.
    package var authorizeUri: String?
    /// The token endpoint.
    package var tokenUri: String?
    /// The RFC 7009 revocation endpoint, called when the connection is disconnected (unless a
    /// `revoke` function is declared).
    package var revokeUri: String?
    /// Scopes to request.
    package var scopes: [String]
    /// Whether PKCE is skipped (it is on by default).
    package var skipPkce: Bool
    /// Where the client authenticates at the token endpoint.
    package var clientAuthLocation: ConnectorOAuth2ClientAuthLocation
    /// Whether the provider issues no refresh token.
    package var noRefreshToken: Bool
    /// Extra authorization parameters.
    package var extra: [String: JSONValue]
    /// The grant type.
    package var grantType: ConnectorOAuth2GrantType

    /// Creates settings with the defaults: PKCE on, client auth in the body, authorization code.
    package init(
        authorizeUri: String? = nil, tokenUri: String? = nil, scopes: [String] = [], skipPkce: Bool = false,
        clientAuthLocation: ConnectorOAuth2ClientAuthLocation = .body, noRefreshToken: Bool = false,
        extra: [String: JSONValue] = [:], grantType: ConnectorOAuth2GrantType = .authorizationCode
    ) {
        self.authorizeUri = authorizeUri
        self.tokenUri = tokenUri
        self.scopes = scopes
        self.skipPkce = skipPkce
        self.clientAuthLocation = clientAuthLocation
        self.noRefreshToken = noRefreshToken
        self.extra = extra
        self.grantType = grantType
    }
}

/// Inline OAuth 1.0a settings (each may instead come from `getOAuthConfig`).
package struct ConnectorOAuth1Config: Sendable, Hashable {
    /// The request token endpoint.
    package var requestTokenUri: String?
    /// The user authorization endpoint.
    package var authorizeUri: String?
    /// The access token endpoint.
    package var accessTokenUri: String?
    /// The signature method; only `HMAC-SHA1` is supported.
    package var signatureMethod: String

    /// Creates settings.
    package init(
        requestTokenUri: String? = nil, authorizeUri: String? = nil, accessTokenUri: String? = nil,
        signatureMethod: String = "HMAC-SHA1"
    ) {
        self.requestTokenUri = requestTokenUri
        self.authorizeUri = authorizeUri
        self.accessTokenUri = accessTokenUri
        self.signatureMethod = signatureMethod
    }
}

/// One way to authenticate: its type, type-specific settings and its auth functions.
package struct ConnectorAuthOption: Sendable, Hashable {
    /// The auth type.
    package var type: ConnectorAuthType
    /// A title shown when choosing among options.
    package var title: String?
    /// A description (markdown).
    package var description: String?
    /// JSON Schema of what the user types in when connecting.
    package var inputSchema: JSONValue?
    /// OAuth 2.0 settings (type `oauth2` only).
    package var oauth2: ConnectorOAuth2Config?
    /// OAuth 1.0a settings (type `oauth1` only).
    package var oauth1: ConnectorOAuth1Config?
    /// The declared auth functions; `makeApiClient` is always present.
    package var functions: [ConnectorAuthFunction: ConnectorFunction]
    /// A formula over `{response: {statusCode, headers, data}}` of a non-2xx answer that is true
    /// when the API says the credentials expired (some answer 400 or 403 with a body saying so);
    /// without it, a 401 means expired.
    package var credentialsExpiredWhen: JSONValue?
    /// Hosts besides the API client's base URI host that may receive the connection's
    /// credentials (`api.example.com`, `api.example.com:8443`, `*.example.com`); a request with
    /// the client's auth to any other host is refused.
    package var allowedHosts: [ConnectorHostPattern] = []

    /// Creates an option.
    package init(
        type: ConnectorAuthType, title: String? = nil, description: String? = nil, inputSchema: JSONValue? = nil,
        oauth2: ConnectorOAuth2Config? = nil, oauth1: ConnectorOAuth1Config? = nil,
        functions: [ConnectorAuthFunction: ConnectorFunction] = [:]
    ) {
        self.type = type
        self.title = title
        self.description = description
        self.inputSchema = inputSchema
        self.oauth2 = oauth2
        self.oauth1 = oauth1
        self.functions = functions
    }

    /// The JSON form, shaped as in `spec.yml` (functions under their names).
    package var json: JSONValue {
        var object: [String: JSONValue] = ["type": .string(type.rawValue)]
        if let title { object["title"] = .string(title) }
        if let description { object["description"] = .string(description) }
        if let inputSchema { object["inputSchema"] = inputSchema }
        if let oauth2 {
            if let value = oauth2.authorizeUri { object["authorizeUri"] = .string(value) }
            if let value = oauth2.tokenUri { object["tokenUri"] = .string(value) }
            if let value = oauth2.revokeUri { object["revokeUri"] = .string(value) }
            object["scopes"] = .array(oauth2.scopes.map { .string($0) })
            object["skipPkce"] = .bool(oauth2.skipPkce)
            object["clientAuthLocation"] = .string(oauth2.clientAuthLocation.rawValue)
            object["noRefreshToken"] = .bool(oauth2.noRefreshToken)
            object["extra"] = .object(oauth2.extra)
            object["grantType"] = .string(oauth2.grantType.rawValue)
        }
        if let oauth1 {
            if let value = oauth1.requestTokenUri { object["requestTokenUri"] = .string(value) }
            if let value = oauth1.authorizeUri { object["authorizeUri"] = .string(value) }
            if let value = oauth1.accessTokenUri { object["accessTokenUri"] = .string(value) }
            object["signatureMethod"] = .string(oauth1.signatureMethod)
        }
        for (name, function) in functions { object[name.rawValue] = function.json }
        if let credentialsExpiredWhen { object["credentialsExpiredWhen"] = credentialsExpiredWhen }
        if !allowedHosts.isEmpty { object["allowedHosts"] = .array(allowedHosts.map { .string($0.description) }) }
        return .object(object)
    }
}
