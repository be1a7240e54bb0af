/// OpenID Connect sign-in to the console: the provider, the console's client there, and who
/// may enter without an invitation.
package struct OIDCSettings: Sendable, Equatable {
    /// The issuer identifier; the discovery document's `issuer` must equal it exactly.
    package var issuer: String
    /// The console's client id at the provider.
    package var clientID: String
    /// The console's client secret at the provider.
    package var clientSecret: String
    /// The name on the "Sign in with …" button.
    package var providerName: String
    /// The absolute callback URL registered at the provider (`BASE_URI` + base path +
    /// `/login/oidc/callback`).
    package var redirectURI: String
    /// Email domains (lower case) whose people get a new `viewer` account at first sign-in.
    package var allowedEmailDomains: [String]

    /// Creates the settings.
    package init(
        issuer: String, clientID: String, clientSecret: String, providerName: String, redirectURI: String, allowedEmailDomains: [String]
    ) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.providerName = providerName
        self.redirectURI = redirectURI
        self.allowedEmailDomains = allowedEmailDomains.map { $0.lowercased() }
    }

    /// The discovery document's URL: `<issuer>/.well-known/openid-configuration`.
    var discoveryURL: String {
        var base = issuer
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/.well-known/openid-configuration"
    }

    /// Whether an email's domain is one of ``allowedEmailDomains``.
    func allowsDomain(of email: String) -> Bool {
        guard let at = email.lastIndex(of: "@") else { return false }
        return allowedEmailDomains.contains(email[email.index(after: at)...].lowercased())
    }
}
