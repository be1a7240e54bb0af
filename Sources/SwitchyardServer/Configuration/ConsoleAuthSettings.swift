import Foundation

/// How people sign in to the console besides the built-in accounts: OpenID Connect against any
/// issuer (`OIDC_ISSUER`, `OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET`), or the seed's Auth0 variables,
/// which map onto it (issuer `https://AUTH0_DOMAIN/`), and who may enter through it
/// (`CONSOLE_ALLOWED_EMAIL_DOMAINS`).
package struct ConsoleAuthSettings: Sendable, Equatable {
    /// The issuer identifier, exactly as the provider's discovery document states it.
    package var oidcIssuer: String?
    /// The client id registered at the provider.
    package var oidcClientID: String?
    /// The client secret registered at the provider.
    package var oidcClientSecret: String?
    /// The name on the sign-in button (`OIDC_PROVIDER_NAME`; `Auth0` for the Auth0 variables,
    /// the issuer's host otherwise).
    package var oidcProviderName: String?
    /// Email domains (lower case) whose people get a new `viewer` account at their first
    /// OpenID Connect sign-in.
    package var allowedEmailDomains: [String]

    /// Whether OpenID Connect sign-in is configured.
    package var usesOIDC: Bool { oidcIssuer != nil }

    /// Reads the settings: all three `OIDC_*` variables or none, all three `AUTH0_*` variables
    /// or none, and not both sets.
    /// - Parameter env: The environment reader; problems are recorded there.
    package init(env: inout EnvironmentReader) {
        let oidc = Self.group(["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"], &env)
        let auth0 = Self.group(["AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"], &env)
        allowedEmailDomains = []
        if oidc != nil && auth0 != nil {
            env.report("AUTH0_DOMAIN", "set either the OIDC_* variables or the AUTH0_* variables, not both (AUTH0_* maps onto OIDC_*)")
        } else if let oidc {
            oidcIssuer = Self.issuer(oidc[0], &env)
            oidcClientID = oidc[1].trimmingCharacters(in: .whitespaces)
            oidcClientSecret = oidc[2]
            oidcProviderName = oidcIssuer.flatMap { URLComponents(string: $0)?.host }
        } else if let auth0 {
            oidcIssuer = Self.auth0Issuer(auth0[0], &env)
            oidcClientID = auth0[1].trimmingCharacters(in: .whitespaces)
            oidcClientSecret = auth0[2]
            oidcProviderName = "Auth0"
        }
        if oidcIssuer == nil { (oidcClientID, oidcClientSecret, oidcProviderName) = (nil, nil, nil) }
        if let name = env.string("OIDC_PROVIDER_NAME")?.trimmingCharacters(in: .whitespaces) {
            if name.count > 60 || name.contains(where: \.isNewline) {
                env.report("OIDC_PROVIDER_NAME", "must be one line of at most 60 characters")
            } else if oidcIssuer != nil {
                oidcProviderName = name
            }
        }
        allowedEmailDomains = Self.domains(&env)
        if !allowedEmailDomains.isEmpty && oidc == nil && auth0 == nil {
            env.report(
                "CONSOLE_ALLOWED_EMAIL_DOMAINS", "only works with OpenID Connect sign-in: set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET too")
        }
    }

    /// The values of a group of variables that go together, or `nil` when none is set (a
    /// partly set group is reported).
    private static func group(_ names: [String], _ env: inout EnvironmentReader) -> [String]? {
        let values = names.map { env.string($0) }
        let set = values.compactMap { $0 }
        if set.isEmpty { return nil }
        if set.count < names.count {
            for (name, value) in zip(names, values) where value == nil {
                env.report(name, "is required when any of \(names.joined(separator: ", ")) is set")
            }
            return nil
        }
        return set
    }

    /// `OIDC_ISSUER`: an https URL (http only on loopback), kept exactly as written since it
    /// must equal the discovery document's `issuer`.
    private static func issuer(_ raw: String, _ env: inout EnvironmentReader) -> String? {
        let value = raw.trimmingCharacters(in: .whitespaces)
        guard let url = URLComponents(string: value), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
            url.query == nil, url.fragment == nil, url.user == nil
        else {
            env.report("OIDC_ISSUER", "'\(value)' is not an issuer URL such as https://login.example.com/ (no query or fragment)")
            return nil
        }
        let loopback = ["127.0.0.1", "::1", "[::1]", "localhost"].contains(host.lowercased())
        guard scheme == "https" || (scheme == "http" && loopback) else {
            env.report("OIDC_ISSUER", "'\(value)' must use https (plain http is accepted only for a loopback address)")
            return nil
        }
        return value
    }

    /// `AUTH0_DOMAIN`: a host name (an `https://` prefix and a trailing `/` are tolerated).
    private static func auth0Issuer(_ raw: String, _ env: inout EnvironmentReader) -> String? {
        var domain = raw.trimmingCharacters(in: .whitespaces)
        if domain.lowercased().hasPrefix("https://") { domain.removeFirst("https://".count) }
        while domain.hasSuffix("/") { domain.removeLast() }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.:")
        guard !domain.isEmpty, domain.allSatisfy(allowed.contains), !domain.hasPrefix("."), !domain.hasPrefix("-") else {
            env.report("AUTH0_DOMAIN", "'\(raw)' is not a domain such as example.eu.auth0.com (no scheme, no path)")
            return nil
        }
        return "https://\(domain)/"
    }

    /// `CONSOLE_ALLOWED_EMAIL_DOMAINS`: a comma list of domains (a leading `@` is tolerated).
    private static func domains(_ env: inout EnvironmentReader) -> [String] {
        guard let raw = env.string("CONSOLE_ALLOWED_EMAIL_DOMAINS") else { return [] }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.")
        var domains: [String] = []
        for part in raw.split(separator: ",") {
            var domain = part.trimmingCharacters(in: .whitespaces).lowercased()
            if domain.hasPrefix("@") { domain.removeFirst() }
            if domain.isEmpty { continue }
            guard domain.allSatisfy(allowed.contains), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else {
                let text = part.trimmingCharacters(in: .whitespaces)
                env.report("CONSOLE_ALLOWED_EMAIL_DOMAINS", "'\(text)' is not an email domain such as example.com")
                return []
            }
            if !domains.contains(domain) { domains.append(domain) }
        }
        if domains.isEmpty { env.report("CONSOLE_ALLOWED_EMAIL_DOMAINS", "names no domain; use a comma list such as example.com,example.org") }
        return domains
    }
}
