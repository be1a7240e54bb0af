import HTTPTypes

/// Why an OpenID Connect sign-in was refused: what the person reads (what happened, what to
/// do) and, separately, the technical cause for the log (never a token).
struct OIDCFailure: Error, Sendable {
    /// The page title.
    var title: String
    /// What happened and what to do, in plain words.
    var message: String
    /// The page's status.
    var status: HTTPResponse.Status
    /// The technical cause, for the log.
    var cause: String

    /// The provider answered the sign-in with an `error` parameter (the person cancelled, or
    /// the provider refused the client).
    /// Only a plain error code (`access_denied`) is shown; the description goes to the log,
    /// since anyone can put text in a callback URL.
    static func provider(_ error: String, _ description: String?) -> OIDCFailure {
        let plain = error.count <= 40 && error.allSatisfy { ("a"..."z").contains($0) || $0 == "_" }
        let code = plain ? " (\(error))" : ""
        return OIDCFailure(
            title: "Sign-in was not completed",
            message: "The sign-in provider did not sign you in\(code). Nothing was changed. "
                + "Try again; if it keeps happening, ask your administrator to check the console's client at the provider.",
            status: .unauthorized, cause: "the provider answered error=\(error.prefix(100)): \(description?.prefix(300) ?? "")")
    }

    /// The `state` is not one this console handed out, or it was used already.
    static func unknownState(_ cause: String) -> OIDCFailure {
        OIDCFailure(
            title: "Sign-in link not valid",
            message: "This sign-in answer is unknown or was already used, so it was refused. Nothing was changed. "
                + "Start again from the sign-in page.",
            status: .badRequest, cause: cause)
    }

    /// The pending sign-in is older than its time limit.
    static let expired = OIDCFailure(
        title: "Sign-in took too long",
        message: "The sign-in was started more than 10 minutes ago and has expired. Nothing was changed. Start again from the sign-in page.",
        status: .badRequest, cause: "the pending sign-in had expired")

    /// The answer reached another browser than the one that started the sign-in.
    static let otherBrowser = OIDCFailure(
        title: "Sign-in started elsewhere",
        message: "This sign-in was started in another browser (or this browser's cookies were cleared), so it was refused. "
            + "Nothing was changed. Start again from the sign-in page in this browser.",
        status: .badRequest, cause: "the browser-binding cookie is missing or belongs to another sign-in")

    /// The provider could not be reached or described itself wrongly.
    static func unavailable(_ cause: String) -> OIDCFailure {
        OIDCFailure(
            title: "Sign-in provider unavailable",
            message: "The console could not talk to the sign-in provider, so you were not signed in. Nothing was changed. "
                + "Try again later, or sign in with your email and password; if it keeps happening, "
                + "ask your administrator to check OIDC_ISSUER (the server's log says what went wrong).",
            status: .badRequest, cause: cause)
    }

    /// The ID token did not pass the checks (signature, issuer, audience, expiry, nonce).
    static func idToken(_ cause: String) -> OIDCFailure {
        OIDCFailure(
            title: "Sign-in refused",
            message: "The sign-in provider's answer did not pass the console's checks (its identity token was not valid for this console), "
                + "so you were not signed in. Nothing was changed. Start again from the sign-in page; "
                + "if it keeps happening, tell your administrator.",
            status: .forbidden, cause: "ID token refused: \(cause)")
    }

    /// The identity carries no usable email.
    static func email(_ cause: String) -> OIDCFailure {
        OIDCFailure(
            title: "Email address missing",
            message: "The sign-in provider did not confirm an email address for you, and the console needs one to find your account. "
                + "Nothing was changed. Verify your email address at the provider, then try again.",
            status: .forbidden, cause: cause)
    }

    /// The email has no account and its domain is not allowed.
    static func notAllowed(_ email: String) -> OIDCFailure {
        OIDCFailure(
            title: "No access to this console",
            message: "You signed in as \(email), but this console has no account for that address and does not let its domain in. "
                + "Nothing was changed. Ask an administrator of this console to invite you (create an account for your email), then try again.",
            status: .forbidden, cause: "\(email) has no console account and its domain is not in CONSOLE_ALLOWED_EMAIL_DOMAINS")
    }

    /// Too many sign-ins were started from one address.
    static let tooManyStarts = OIDCFailure(
        title: "Too many sign-ins started",
        message: "Too many sign-ins through the provider were started from this address. Nothing was changed. Wait 10 minutes, then try again.",
        status: .tooManyRequests, cause: "more than 30 sign-ins started from one address within 10 minutes")

    /// No console account exists yet: the first admin comes from the setup page.
    static let noAdministrator = OIDCFailure(
        title: "Console not set up yet",
        message: "This console has no administrator yet, so nobody can sign in through the sign-in provider. "
            + "Nothing was changed. Create the first administrator on the setup page, or with `switchyard console users add`.",
        status: .forbidden, cause: "no console account exists yet")
}
