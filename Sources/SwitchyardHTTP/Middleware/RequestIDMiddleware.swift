import HTTPTypes
import Hummingbird
import Logging
import SwitchyardCore

extension HTTPField.Name {
    /// `X-Request-Id`: the caller's correlation id, echoed on the response.
    package static let requestID = HTTPField.Name("X-Request-Id")!
}

/// Gives each request an id that appears in every log line about it (`request.id`) and in the
/// `X-Request-Id` response header. A caller-supplied id is kept when it is short and plain.
/// The id is also the context's ``SwitchyardRequestContext/requestID`` and, for the work the
/// request does, ``RequestTrace/requestID`` (so outbound requests log it too).
package struct RequestIDMiddleware: RouterMiddleware {
    package typealias Context = SwitchyardRequestContext

    /// Creates the middleware.
    package init() {}

    package func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let supplied = request.headers[.requestID]
        let id = supplied.flatMap { Self.isAcceptable($0) ? $0 : nil } ?? context.id
        context.logger[metadataKey: "request.id"] = .string(id)
        context.requestID = id
        var response = try await RequestTrace.$requestID.withValue(id) { try await next(request, context) }
        response.headers[.requestID] = id
        return response
    }

    /// Whether a caller-supplied id is safe to log and echo: 1–128 characters of `[A-Za-z0-9._:-]`.
    static func isAcceptable(_ id: String) -> Bool {
        guard (1...128).contains(id.utf8.count) else { return false }
        return id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "-"), UInt8(ascii: ":"):
                true
            default: false
            }
        }
    }
}
