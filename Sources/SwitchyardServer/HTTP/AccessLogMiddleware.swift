import Hummingbird
import Logging
import SwitchyardHTTP

/// Logs one line per request with method, route, status and duration. Health probes and
/// metrics scrapes are logged at debug level so they do not drown the rest.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = SwitchyardRequestContext

    let quietPaths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let level: Logger.Level = quietPaths.contains(request.uri.path) ? .debug : .info
        context.logger.log(
            level: level,
            "request",
            metadata: [
                "http.method": "\(request.method)",
                "http.path": "\(request.uri.path)",
                "http.status": "\(response.status.code)",
                "http.duration.ms": "\(Double(elapsed.nanosecondsClamped / 1000) / 1000)",
            ]
        )
        return response
    }
}
