import Hummingbird
import Logging
import SwitchyardCore

/// Turns every error thrown below it into the JSON error shape.
///
/// ``SwitchyardError`` keeps its key and message. Hummingbird's `HTTPError` (unknown route,
/// body too large while decoding) keeps its status. Anything else is a bug or a dependency
/// failure: the client gets a generic `internal` error. Every `internal` error is logged at
/// error level with its cause and the request id; other server-side errors (`unavailable`,
/// `timeout`) at warning level; client errors at debug level when they carry a detail.
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
            var metadata: Logger.Metadata = ["error.key": "\(error.key)", "error.message": "\(error.message)", "request.id": "\(Self.requestID(context))"]
            if let detail = error.internalDetail { metadata["error.detail"] = "\(detail)" }
            switch HTTPStatusMapping.status(for: error.key).code {
            case 500: context.logger.error("request failed with an internal error", metadata: metadata)
            case 501...: context.logger.warning("request failed", metadata: metadata)
            default: if error.internalDetail != nil { context.logger.debug("request failed", metadata: metadata) }
            }
            return ErrorResponse.make(error)
        } catch let error as HTTPError {
            let key = HTTPStatusMapping.key(for: error.status)
            let message = Self.message(for: error, request: request)
            return ErrorResponse.make(SwitchyardError(key, message))
        } catch {
            let id = Self.requestID(context)
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))", "request.id": "\(id)"])
            return ErrorResponse.make(SwitchyardError(.internal, "internal error; see the server log for request \(id)"))
        }
    }

    /// The request's id as ``RequestIDMiddleware`` set it (the caller's `X-Request-Id` when it
    /// sent one), else Hummingbird's.
    private static func requestID(_ context: Context) -> String {
        context.logger[metadataKey: "request.id"]?.description ?? context.id
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
