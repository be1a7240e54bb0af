import Hummingbird
import Logging
import SwitchyardCore

/// Turns every error thrown below it into the JSON error shape.
///
/// ``SwitchyardError`` keeps its key and message. Hummingbird's `HTTPError` (unknown route,
/// body too large while decoding) keeps its status. Anything else is a bug or a dependency
/// failure: it is logged with full detail and the client gets a generic `internal` error.
package struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    package init() {}

    package func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as SwitchyardError {
            if let detail = error.internalDetail {
                context.logger.debug("request failed", metadata: ["error.key": "\(error.key)", "error.detail": "\(detail)"])
            }
            return ErrorResponse.make(error)
        } catch let error as HTTPError {
            let key = HTTPStatusMapping.key(for: error.status)
            let message = Self.message(for: error, request: request)
            return ErrorResponse.make(SwitchyardError(key, message))
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return ErrorResponse.make(SwitchyardError(.internal, "internal error; see the server log for request \(context.id)"))
        }
    }

    private static func message(for error: HTTPError, request: Request) -> String {
        if let body = error.body, !body.isEmpty { return body }
        switch error.status.code {
        case 404: return "no route for \(request.method) \(request.uri.path)"
        case 413: return "request body is larger than allowed"
        default: return error.status.reasonPhrase
        }
    }
}
