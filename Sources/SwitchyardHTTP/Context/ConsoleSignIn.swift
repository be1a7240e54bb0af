/// Who is signed in to the console, once the console's session middleware found a live session.
///
/// It lives in the request context (``SwitchyardRequestContext/consoleSignIn``), like ``Caller``
/// for the API, so every console page after the middleware reads the same value.
package struct ConsoleSignIn: Sendable, Equatable {
    /// The session's record id (a digest of the cookie's value, never the value itself).
    package var sessionID: String
    /// The platform user's record id.
    package var userID: String
    /// The user's email.
    package var email: String
    /// The user's name.
    package var name: String
    /// The user's role (`admin` or `member`).
    package var role: String
    /// The session's CSRF token, which every state-changing form carries.
    package var csrfToken: String

    /// Creates a sign-in.
    package init(sessionID: String, userID: String, email: String, name: String, role: String, csrfToken: String) {
        self.sessionID = sessionID
        self.userID = userID
        self.email = email
        self.name = name
        self.role = role
        self.csrfToken = csrfToken
    }
}
