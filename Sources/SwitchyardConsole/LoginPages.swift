import HTTPTypes
import Hummingbird
import SwitchyardCore
import SwitchyardHTTP

/// `<base>/login` (the email and password form) and `<base>/logout`.
struct LoginPages: Sendable {
    /// The console the page belongs to.
    let console: Console

    /// The sign-in form; an open session goes straight to the overview, an install with no
    /// account yet to the first-run setup page.
    func show(_ request: Request, _ context: SwitchyardRequestContext) async throws -> Response {
        if try await ConsoleSessionMiddleware.resolve(request, console.sessions) != nil { return console.responses.redirect(to: "/") }
        if try await !console.accounts.anyExists() { return console.responses.redirect(to: "/setup") }
        return page(email: "", message: nil, status: .ok)
    }

    /// Checks the email and password; on success starts a session and goes to the overview.
    func submit(_ request: Request, _ context: SwitchyardRequestContext) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        let email = form["email"].trimmingWhitespace().lowercased()
        let keys = ["account:" + email, "address:" + (context.clientAddress ?? "unknown")]
        if console.throttle.isBlocked(keys) {
            let minutes = Int(console.throttle.window.components.seconds / 60)
            return page(
                email: email,
                message: "Too many failed sign-ins for this account or from this address. Wait \(minutes) minutes, then try again.",
                status: .tooManyRequests)
        }
        guard let account = try await console.accounts.verify(email: email, password: form["password"]) else {
            console.throttle.recordFailure(keys)
            return page(email: email, message: "The email or the password is wrong.", status: .unauthorized)
        }
        console.throttle.clear(keys[0])
        let (cookie, _) = try await console.sessions.start(for: account)
        return console.responses.redirect(to: "/", cookie: console.responses.sessionCookie(cookie))
    }

    /// Ends the session (the middleware checked its CSRF token) and clears the cookie.
    func logout(_ request: Request, _ context: SwitchyardRequestContext) async throws -> Response {
        if let signIn = context.consoleSignIn { try await console.sessions.end(signIn) }
        return console.responses.redirect(to: "/login", cookie: console.responses.clearedCookie())
    }

    /// The "Sign in with …" link when OpenID Connect sign-in is configured (a plain link: it
    /// works without JavaScript).
    private var oidcLink: String {
        guard let provider = console.oidcProvider else { return "" }
        return """
            <p class="oidc"><a href="\(HTML.escape(console.settings.url("/login/oidc")))">\
            Sign in with \(HTML.escape(provider.settings.providerName))</a></p>
            """
    }

    private func page(email: String, message: String?, status: HTTPResponse.Status) -> Response {
        let body = """
            \(HTML.message(message))
            <form method="post" action="\(HTML.escape(console.settings.url("/login")))">
            \(HTML.field("email", label: "Email", type: "email", value: email, autocomplete: "username"))
            \(HTML.field("password", label: "Password", type: "password", autocomplete: "current-password"))
            <p><button type="submit">Sign in</button></p>
            </form>
            \(oidcLink)
            """
        return console.responses.html(console.layout.page(title: "Sign in", body: body), status: status)
    }
}
