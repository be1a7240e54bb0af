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
                "http.path": "\(Self.loggedPath(request.uri.path))",
                "http.status": "\(response.status.code)",
                "http.duration.ms": "\(Self.milliseconds(elapsed))",
            ]
        )
        return response
    }

    /// The path as logged: an app event type's webhook address
    /// (`/webhooks/app-event-types/{workspaceKey}/{typeId}/{secret}`) is a credential, so what
    /// follows the type's id is replaced by `[redacted]`.
    static func loggedPath(_ path: String) -> String {
        guard path.hasPrefix("/webhooks/app-event-types/") else { return path }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count > 5 else { return path }
        return (parts.prefix(5) + ["[redacted]"]).joined(separator: "/")
    }

    /// A duration in milliseconds, to the microsecond.
    private static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds / 1_000_000_000_000) / 1000
    }
}
