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
///   token: in its `csrf` form field for a plain form; for another body (a `multipart/form-data`
///   upload) in the `X-CSRF-Token` header or the `csrf` query parameter of the form's action.
///   Without it, or with another, it is refused with a 403 page before any route runs.
/// - A viewer's state-changing request (but signing out) is refused with a 403 page before any
///   route runs, so no form can change anything for a viewer, whatever the page shows.
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
            let given: String
            if (request.headers[.contentType] ?? "").hasPrefix("application/x-www-form-urlencoded") {
                given = try await ConsoleForm.read(&request)["csrf"]
            } else {
                given = request.headers[Self.csrfHeader] ?? request.uri.queryParameters.get("csrf") ?? ""
            }
            guard Self.sameToken(given, signIn.csrfToken) else {
                return refusal(
                    "Request refused",
                    "The form did not carry this session's security token (CSRF), so it may not come from this console. Nothing was changed."
                )
            }
        }
        if !reads, !ConsoleRole(signIn.role).canChange, request.uri.path != responses.settings.url("/logout") {
            return refusal(
                "Viewers cannot change anything",
                "Your account has the viewer role: it can read every page but change nothing. Ask a platform admin for another role.")
        }
        context.consoleSignIn = signIn
        return try await next(request, context)
    }

    /// The header a script's request carries the CSRF token in.
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

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
