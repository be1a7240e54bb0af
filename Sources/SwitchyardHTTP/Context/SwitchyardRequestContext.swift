import Hummingbird
import NIOCore
import SwitchyardCore

/// The request context every Switchyard route and middleware receives.
///
/// It allows bodies up to the largest request limit any route accepts; the effective limit
/// (`MAX_REQUEST_SIZE_MB`, 10 MB by default) is enforced earlier by ``RequestSizeLimitMiddleware``.
/// The middleware chain fills it in: ``RequestIDMiddleware`` sets ``requestID``, the API's
/// authentication middleware sets ``caller``.
package struct SwitchyardRequestContext: RequestContext {
    /// Hummingbird's own per-request storage.
    package var coreContext: CoreRequestContextStorage
    /// The request's id (`X-Request-Id`), as logged and echoed: the one ``RequestIDMiddleware``
    /// chose, else Hummingbird's.
    package var requestID: String {
        get { assignedRequestID ?? id }
        set { assignedRequestID = newValue }
    }
    private var assignedRequestID: String?
    /// The verified caller, once authentication ran and found a token; `nil` before that and
    /// for requests that carry none.
    package var caller: Caller?
    /// Why the request's token was refused, for the routes that answer that themselves (the
    /// connect flow sends it back to the app's `redirectUri`); other routes never see it, their
    /// requests are refused before.
    package var authenticationFailure: SwitchyardError?
    /// The console user, once the console's session middleware found a live session.
    package var consoleSignIn: ConsoleSignIn?
    /// The address of the connected peer (the proxy's, behind a reverse proxy); `nil` when unknown.
    package var clientAddress: String?

    /// Creates the context for one request.
    /// - Parameter source: Where the request came from.
    package init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.caller = nil
        self.authenticationFailure = nil
        self.consoleSignIn = nil
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies are limited by ``RequestSizeLimitMiddleware`` before any route decodes them.
    package var maxUploadSize: Int { Int(Int32.max) }
}
