import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardCore
import SwitchyardHTTP

/// Verifies the request's token and puts the ``Caller`` into the request context: the one
/// place where tokens are read and checked, for the REST API, the proxy and the connect flow.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = SwitchyardRequestContext

    /// Where a token may come from.
    struct TokenSources: OptionSet, Sendable {
        let rawValue: Int
        /// `Authorization: Bearer <token>`.
        static let header = TokenSources(rawValue: 1)
        /// A `token` query parameter or body field (browser navigations and form posts to
        /// `/connect`, which cannot set headers).
        static let fields = TokenSources(rawValue: 2)
    }

    /// What happens to a token that fails verification.
    enum Failure: Sendable {
        /// The request is answered 401 at once.
        case refuse
        /// The failure goes to the route in ``SwitchyardRequestContext/authenticationFailure``
        /// (the connect flow sends it back to the app's `redirectUri`).
        case handToRoute
    }

    let authenticator: TokenAuthenticator
    let sources: TokenSources
    /// Whether a request without a token is refused (401).
    let required: Bool
    let failure: Failure

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        var token = Self.bearer(request)
        if token == nil, sources.contains(.fields) { token = try await RequestFields.read(&request).fields["token"] }
        if let token {
            do throws(SwitchyardError) {
                context.caller = try await authenticator.authenticate(token)
            } catch {
                guard failure == .handToRoute else { throw error }
                context.authenticationFailure = error
            }
        } else if required {
            throw SwitchyardError(.notAuthenticated, "send a token as Authorization: Bearer <token>")
        }
        return try await next(request, context)
    }

    /// The token of an `Authorization: Bearer` header.
    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let bytes = header.utf8
        // The scheme is case-insensitive: OR-ing 0x20 lowercases letters and keeps the space.
        guard bytes.count >= 7, bytes.prefix(7).elementsEqual("bearer ".utf8, by: { $0 | 0x20 == $1 }) else { return nil }
        let isBlank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        var token = bytes.dropFirst(7)
        while let first = token.first, isBlank(first) { token = token.dropFirst() }
        while let last = token.last, isBlank(last) { token = token.dropLast() }
        return String(decoding: token, as: UTF8.self)
    }
}
