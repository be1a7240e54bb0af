import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardCore
import SwitchyardHTTP

/// Puts the signed-in console user in the request context (``SwitchyardRequestContext/consoleSignIn``)
/// for the pages behind sign-in, as the API's authentication middleware does with the caller.
///
/// - No live session: a page read (`GET`) is sent to the login page; any other request is
///   refused with a 403 page and changes nothing.
/// - A state-changing request (anything but `GET` and `HEAD`) must carry the session's CSRF
///   token in its `csrf` form field; without it, or with another, it is refused with a 403
///   page before any route runs.
struct ConsoleSessionMiddleware: RouterMiddleware {
    typealias Context = SwitchyardRequestContext

    /// Where sessions are looked up.
    let sessions: ConsoleSessions
    /// Redirects and pages.
    let responses: ConsoleResponses
    /// The frame of the refusal pages.
    let layout: ConsoleLayout

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        let signIn = try await ConsoleSessionMiddleware.resolve(request, sessions)
        let reads = request.method == .get || request.method == .head
        guard let signIn else {
            if reads { return responses.redirect(to: "/login") }
            return refusal("Your session has ended", "Sign in again, then repeat what you were doing. Nothing was changed.")
        }
        if !reads {
            let form = try await ConsoleForm.read(&request)
            guard Self.sameToken(form["csrf"], signIn.csrfToken) else {
                return refusal(
                    "Request refused",
                    "The form did not carry this session's security token (CSRF), so it may not come from this console. Nothing was changed."
                )
            }
        }
        context.consoleSignIn = signIn
        return try await next(request, context)
    }

    /// The live session of a request's cookie, or `nil`.
    static func resolve(_ request: Request, _ sessions: ConsoleSessions) async throws(SwitchyardError) -> ConsoleSignIn? {
        guard let cookie = ConsoleResponses.sessionCookie(in: request) else { return nil }
        return try await sessions.resolve(cookie: cookie)
    }

    /// Compares two tokens in constant time.
    static func sameToken(_ given: String, _ expected: String) -> Bool {
        !given.isEmpty && SHA256.hash(data: Data(given.utf8)) == SHA256.hash(data: Data(expected.utf8))
    }

    private func refusal(_ title: String, _ message: String) -> Response {
        let body = HTML.message(message) + "<p><a href=\"\(HTML.escape(responses.settings.url("/login")))\">Go to sign-in</a></p>"
        return responses.html(layout.page(title: title, body: body), status: .forbidden)
    }
}
