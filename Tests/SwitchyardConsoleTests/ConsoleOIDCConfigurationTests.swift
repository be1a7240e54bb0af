import SwitchyardServer
import Testing

/// `OIDC_*`, the seed's `AUTH0_*` and `CONSOLE_ALLOWED_EMAIL_DOMAINS`.
@Suite struct ConsoleOIDCConfigurationTests {
    static let oidc = ["OIDC_ISSUER": "https://login.example.com/", "OIDC_CLIENT_ID": "console", "OIDC_CLIENT_SECRET": "s3cret"]

    func load(_ environment: [String: String]) throws(ConfigurationError) -> SwitchyardConfiguration {
        try SwitchyardConfiguration.load(environment: environment)
    }

    func problems(_ environment: [String: String]) -> [ConfigurationProblem] {
        do {
            _ = try load(environment)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func nothingSetMeansBuiltInAccountsOnly() throws {
        let auth = try load([:]).consoleAuth
        #expect(!auth.usesOIDC && auth.oidcIssuer == nil && auth.allowedEmailDomains.isEmpty)
    }

    @Test func oidcVariablesAreReadAsWritten() throws {
        var environment = Self.oidc
        environment["CONSOLE_ALLOWED_EMAIL_DOMAINS"] = " Example.com, @example.org ,example.com"
        let auth = try load(environment).consoleAuth
        #expect(auth.usesOIDC && auth.oidcIssuer == "https://login.example.com/", "the trailing slash stays: the issuer is compared exactly")
        #expect(auth.oidcClientID == "console" && auth.oidcClientSecret == "s3cret" && auth.oidcProviderName == "login.example.com")
        #expect(auth.allowedEmailDomains == ["example.com", "example.org"])
        environment["OIDC_PROVIDER_NAME"] = "Example SSO"
        #expect(try load(environment).consoleAuth.oidcProviderName == "Example SSO")
    }

    @Test func auth0VariablesMapOntoOIDC() throws {
        let auth = try load(["AUTH0_DOMAIN": "acme.eu.auth0.com", "AUTH0_CLIENT_ID": "abc", "AUTH0_CLIENT_SECRET": "xyz"]).consoleAuth
        #expect(auth.oidcIssuer == "https://acme.eu.auth0.com/" && auth.oidcClientID == "abc" && auth.oidcClientSecret == "xyz")
        #expect(auth.oidcProviderName == "Auth0")
        let tolerant = try load(["AUTH0_DOMAIN": "https://acme.eu.auth0.com/", "AUTH0_CLIENT_ID": "abc", "AUTH0_CLIENT_SECRET": "xyz"])
        #expect(tolerant.consoleAuth.oidcIssuer == "https://acme.eu.auth0.com/")
    }

    @Test func loopbackIssuerMayUsePlainHTTP() throws {
        var environment = Self.oidc
        environment["OIDC_ISSUER"] = "http://127.0.0.1:8080"
        #expect(try load(environment).consoleAuth.oidcIssuer == "http://127.0.0.1:8080")
    }

    @Test(arguments: [
        (["OIDC_ISSUER": "https://login.example.com/"], "OIDC_CLIENT_ID", "is required"),
        (["OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s"], "OIDC_ISSUER", "is required"),
        (["OIDC_ISSUER": "http://login.example.com/", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s"], "OIDC_ISSUER", "must use https"),
        (["OIDC_ISSUER": "login.example.com", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s"], "OIDC_ISSUER", "is not an issuer URL"),
        (["OIDC_ISSUER": "https://login.example.com/?x=1", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s"], "OIDC_ISSUER", "no query"),
        (["AUTH0_DOMAIN": "acme.auth0.com/path", "AUTH0_CLIENT_ID": "c", "AUTH0_CLIENT_SECRET": "s"], "AUTH0_DOMAIN", "is not a domain"),
        (["AUTH0_DOMAIN": "acme.auth0.com"], "AUTH0_CLIENT_SECRET", "is required"),
        (oidc.merging(["AUTH0_DOMAIN": "a.auth0.com", "AUTH0_CLIENT_ID": "c", "AUTH0_CLIENT_SECRET": "s"]) { $1 }, "AUTH0_DOMAIN", "not both"),
        (oidc.merging(["CONSOLE_ALLOWED_EMAIL_DOMAINS": "example.com, not a domain"]) { $1 }, "CONSOLE_ALLOWED_EMAIL_DOMAINS", "'not a domain'"),
        (oidc.merging(["CONSOLE_ALLOWED_EMAIL_DOMAINS": " , "]) { $1 }, "CONSOLE_ALLOWED_EMAIL_DOMAINS", "names no domain"),
        (["CONSOLE_ALLOWED_EMAIL_DOMAINS": "example.com"], "CONSOLE_ALLOWED_EMAIL_DOMAINS", "only works with OpenID Connect"),
        (oidc.merging(["OIDC_PROVIDER_NAME": String(repeating: "x", count: 61)]) { $1 }, "OIDC_PROVIDER_NAME", "at most 60"),
    ])
    func badValueIsReportedByName(environment: [String: String], variable: String, words: String) {
        let found = problems(environment)
        #expect(found.contains { $0.variable == variable && $0.reason.contains(words) }, "expected \(variable): …\(words)…, got \(found)")
        #expect(!found.contains { $0.reason.contains("s3cret") }, "a secret is never echoed")
    }

    @Test func catalogueKnowsEveryVariable() {
        let names = Set(ConfigurationCatalogue.variables.map(\.name))
        for name in ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_PROVIDER_NAME", "CONSOLE_ALLOWED_EMAIL_DOMAINS", "AUTH0_DOMAIN"] {
            #expect(names.contains(name), "\(name) is in the catalogue")
        }
        #expect(ConfigurationCatalogue.variables.first { $0.name == "OIDC_CLIENT_SECRET" }?.isSecret == true)
    }
}
