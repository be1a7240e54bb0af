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

    private func page(email: String, message: String?, status: HTTPResponse.Status) -> Response {
        var values: [String: Any] = ["base": console.settings.basePath, "email": email]
        if let message { values["message"] = message }
        if let provider = console.oidcProvider { values["provider"] = provider.settings.providerName }
        let body = console.templates.render("login", values)
        return console.responses.html(console.layout.page(title: "Sign in", body: body), status: status)
    }
}
