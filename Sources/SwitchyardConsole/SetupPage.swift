import HTTPTypes
import Hummingbird
import SwitchyardCore
import SwitchyardHTTP

/// `<base>/setup`: the first-run page that creates the first platform admin. It exists only
/// while no console account does, and only with the one-time setup code from the log.
struct SetupPage: Sendable {
    /// The console the page belongs to.
    let console: Console

    /// The setup form, or a 404 page once an account exists.
    func show(_ request: Request, _ context: SwitchyardRequestContext) async throws -> Response {
        if try await console.accounts.anyExists() || console.setupCode.isUsed { return gone() }
        return page(email: "", name: "", message: nil, status: .ok)
    }

    /// Checks the code and the fields, creates the admin, and signs them in.
    func submit(_ request: Request, _ context: SwitchyardRequestContext) async throws -> Response {
        if try await console.accounts.anyExists() || console.setupCode.isUsed { return gone() }
        var request = request
        let form = try await ConsoleForm.read(&request)
        let email = form["email"].trimmingWhitespace()
        let name = form["name"].trimmingWhitespace()
        let keys = ["setup:" + (context.clientAddress ?? "unknown")]
        if console.throttle.isBlocked(keys) {
            return page(
                email: email, name: name, message: "Too many wrong setup codes from this address. Wait, then try again.", status: .tooManyRequests)
        }
        guard console.setupCode.matches(form["code"]) else {
            console.throttle.recordFailure(keys)
            return page(
                email: email, name: name, message: "The setup code is wrong. Use the code printed in the server's log at start.", status: .forbidden)
        }
        do {
            try ConsoleAccounts.validate(email: email, name: name, role: "admin", password: form["password"])
        } catch {
            return page(
                email: email, name: name, message: error.message.prefix(1).uppercased() + error.message.dropFirst() + ".", status: .badRequest)
        }
        guard console.setupCode.consume() else { return gone() }
        let account: ConsoleAccount
        do {
            account = try await console.accounts.add(email: email, name: name, role: "admin", password: form["password"])
        } catch {
            console.setupCode.release()
            throw error
        }
        let (cookie, _) = try await console.sessions.start(for: account)
        return console.responses.redirect(to: "/", cookie: console.responses.sessionCookie(cookie))
    }

    private func gone() -> Response {
        let body = """
            <p>This console already has its first administrator. \
            <a href="\(HTML.escape(console.settings.url("/login")))">Sign in</a> instead.</p>
            """
        return console.responses.html(console.layout.page(title: "Setup is done", body: body), status: .notFound)
    }

    private func page(email: String, name: String, message: String?, status: HTTPResponse.Status) -> Response {
        var values: [String: Any] = [
            "base": console.settings.basePath, "email": email, "name": name, "minimum": ConsoleAccounts.minimumPasswordLength,
        ]
        if let message { values["message"] = message }
        let body = console.templates.render("setup", values)
        return console.responses.html(console.layout.page(title: "First-run setup", body: body), status: status)
    }
}
