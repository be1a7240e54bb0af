import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SwitchyardCore
import SwitchyardHTTP

/// `<base>/login/oidc` (sends the browser to the OpenID provider) and
/// `<base>/login/oidc/callback` (checks the provider's answer and starts a session).
///
/// Every refusal is a console page that says what happened and what to do; the technical cause
/// goes to the log (never a token), no session is started, and nothing else changes.
struct OIDCLoginPages: Sendable {
    /// The browser-binding cookie's name: it ties the provider's answer to the browser that
    /// started the sign-in.
    static let bindingCookieName = "switchyard_console_oidc"
    /// The scopes asked for.
    static let scope = "openid email profile"

    /// The console the pages belong to.
    let console: Console
    /// The provider.
    let provider: OIDCProvider

    /// The pending sign-ins.
    var pending: OIDCPendingLogins { OIDCPendingLogins(records: console.records, workspace: console.accounts.workspace) }

    /// Starts a sign-in: stores state, nonce and PKCE verifier, sets the browser-binding cookie
    /// and redirects to the provider's authorization endpoint.
    func start(_ request: Request, _ context: SwitchyardRequestContext) async throws -> Response {
        if try await !console.accounts.anyExists() { return console.responses.redirect(to: "/setup") }
        let address = ["oidc-start:" + (context.clientAddress ?? "unknown")]
        if provider.starts.isBlocked(address) { return refusal(.tooManyStarts, context) }
        let discovery: OIDCDiscovery
        do {
            discovery = try await provider.discovery()
        } catch {
            return refusal(error, context)
        }
        provider.starts.recordFailure(address)
        let login = try await pending.start()
        let parameters = [
            ("response_type", "code"), ("client_id", provider.settings.clientID), ("redirect_uri", provider.settings.redirectURI),
            ("scope", Self.scope), ("state", login.state), ("nonce", login.nonce),
            ("code_challenge", OIDCPendingLogins.challenge(login.verifier)), ("code_challenge_method", "S256"),
        ]
        let query = parameters.map { OIDCProvider.formEncode($0.0) + "=" + OIDCProvider.formEncode($0.1) }.joined(separator: "&")
        let endpoint = discovery.authorizationEndpoint
        var headers = HTTPFields()
        headers[.location] = endpoint + (endpoint.contains("?") ? "&" : "?") + query
        headers[.setCookie] = bindingCookie(login.browser, maxAge: Int(OIDCPendingLogins.lifetime / 1_000_000))
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// Checks the provider's answer: the pending sign-in (taken once, same browser), the
    /// code exchange, the ID token, and who may enter; then starts a session.
    func callback(_ request: Request, _ context: SwitchyardRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let state = query["state"].map(String.init) ?? ""
        do {
            if let error = query["error"] {
                // The state is used up either way.
                _ = try? await pending.take(state: state, browser: ConsoleResponses.cookie(Self.bindingCookieName, in: request))
                throw OIDCFailure.provider(String(error), query["error_description"].map(String.init))
            }
            let login = try await pending.take(state: state, browser: ConsoleResponses.cookie(Self.bindingCookieName, in: request))
            guard let code = query["code"].map(String.init), !code.isEmpty else {
                throw OIDCFailure.unknownState("the callback has a state but no code")
            }
            if try await !console.accounts.anyExists() { throw OIDCFailure.noAdministrator }
            let discovery = try await provider.discovery()
            let idToken = try await provider.exchange(code: code, verifier: login.verifier, discovery: discovery)
            let identity = try await provider.verify(idToken: idToken, nonce: login.nonce, discovery: discovery)
            let (account, created) = try await console.accounts.account(for: identity, settings: provider.settings)
            let (cookie, _) = try await console.sessions.start(for: account)
            context.logger.info(
                "console sign-in through OpenID Connect",
                metadata: ["email": "\(account.email)", "role": "\(account.role)", "account": "\(created ? "created" : "existing")"])
            var headers = HTTPFields()
            headers[.location] = console.settings.url("/")
            headers.append(HTTPField(name: .setCookie, value: console.responses.sessionCookie(cookie)))
            headers.append(HTTPField(name: .setCookie, value: bindingCookie("", maxAge: 0)))
            return Response(status: .seeOther, headers: headers)
        } catch let failure as OIDCFailure {
            return refusal(failure, context)
        }
    }

    /// The refusal page; logs the cause and clears the browser-binding cookie.
    private func refusal(_ failure: OIDCFailure, _ context: SwitchyardRequestContext) -> Response {
        context.logger.notice("console OpenID Connect sign-in refused", metadata: ["reason": "\(failure.title)", "cause": "\(failure.cause)"])
        let body = """
            \(HTML.message(failure.message))
            <p><a href="\(HTML.escape(console.settings.url("/login")))">Go to sign-in</a></p>
            """
        var response = console.responses.html(console.layout.page(title: failure.title, body: body), status: failure.status)
        response.headers[.setCookie] = bindingCookie("", maxAge: 0)
        return response
    }

    /// The browser-binding cookie: HttpOnly, SameSite=Lax (the provider's redirect back is a
    /// top-level navigation, which carries it), only sent to the sign-in routes.
    private func bindingCookie(_ value: String, maxAge: Int) -> String {
        "\(Self.bindingCookieName)=\(value); Path=\(console.settings.url("/login/oidc")); Max-Age=\(maxAge); HttpOnly; SameSite=Lax"
            + (console.settings.secureCookies ? "; Secure" : "")
    }
}

extension Console {
    /// OpenID Connect sign-in's settings, when it is configured.
    package var oidcSettings: OIDCSettings? { oidcProvider?.settings }
}
