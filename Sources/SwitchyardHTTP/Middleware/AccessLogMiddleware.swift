import Hummingbird
import Logging

/// Logs one line per request with method, route, status and duration. Health probes and
/// metrics scrapes are logged at debug level so they do not drown the rest.
package struct AccessLogMiddleware: RouterMiddleware {
    /// The context it runs in.
    package typealias Context = SwitchyardRequestContext

    let quietPaths: Set<String>

    /// Creates the middleware.
    /// - Parameter quietPaths: Paths logged at debug level (health probes, metrics scrapes).
    package init(quietPaths: Set<String>) {
        self.quietPaths = quietPaths
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
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
                "http.duration.ms": "\(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000)",
            ]
        )
        return response
    }
}
