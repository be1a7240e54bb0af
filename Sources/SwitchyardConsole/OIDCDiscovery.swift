/// The parts of an issuer's discovery document (`.well-known/openid-configuration`) the
/// console uses.
struct OIDCDiscovery: Decodable, Sendable, Equatable {
    /// The issuer identifier; must equal the configured one.
    var issuer: String
    /// Where the browser is sent to sign in.
    var authorizationEndpoint: String
    /// Where the console exchanges the code.
    var tokenEndpoint: String
    /// The issuer's signing keys.
    var jwksURI: String
    /// How the token endpoint authenticates clients; `client_secret_basic` when absent.
    var tokenEndpointAuthMethods: [String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case tokenEndpointAuthMethods = "token_endpoint_auth_methods_supported"
    }

    /// Whether the client secret goes in the form (`client_secret_post`) rather than in HTTP
    /// Basic authentication, the default.
    var postsClientSecret: Bool {
        guard let methods = tokenEndpointAuthMethods else { return false }
        return !methods.contains("client_secret_basic") && methods.contains("client_secret_post")
    }
}
