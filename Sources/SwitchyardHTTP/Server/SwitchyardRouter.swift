import Hummingbird
import Prometheus

/// The router every role's routes go on, with the middleware every request passes first:
/// request id, access log, HTTP metrics, the JSON error shape and the request size limit.
/// Production and the tests build their routers here, so tests run the production chain.
package enum SwitchyardRouter {
    /// A router with the shared middleware.
    /// - Parameters:
    ///   - maxRequestBodyBytes: `MAX_REQUEST_SIZE_MB` in bytes; larger bodies get 413.
    ///   - metrics: Where request counts and durations go.
    ///   - quietPaths: Paths logged at debug level (health probes, metrics scrapes).
    package static func make(maxRequestBodyBytes: Int, metrics: PrometheusCollectorRegistry, quietPaths: Set<String>) -> Router<SwitchyardRequestContext> {
        let router = Router(context: SwitchyardRequestContext.self)
        router.middlewares.add(RequestIDMiddleware())
        router.middlewares.add(AccessLogMiddleware(quietPaths: quietPaths))
        router.middlewares.add(HTTPMetricsMiddleware(registry: metrics))
        router.middlewares.add(ErrorMiddleware())
        router.middlewares.add(RequestSizeLimitMiddleware(maxBytes: maxRequestBodyBytes))
        return router
    }

    /// Adds what needs every route registered first: 405 with `Allow` for a known path asked
    /// with another method.
    package static func finish(_ router: Router<SwitchyardRequestContext>) {
        router.middlewares.add(MethodNotAllowedMiddleware(routes: router.routes.map { (method: $0.method.rawValue, path: $0.path.description) }))
    }
}
