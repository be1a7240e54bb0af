import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// Builds a process for any set of roles. Production (`switchyard serve`) and the tests call
/// the same function, so tests run what production runs.
package enum SwitchyardAssembly {
    /// Builds the application: one HTTP server carrying the routes of every selected role,
    /// plus each role's services and the dependency health monitor.
    /// - Parameters:
    ///   - configuration: The validated configuration.
    ///   - secrets: The secrets in effect.
    ///   - logger: The root logger.
    ///   - onServerRunning: Called with the bound address once the server listens.
    /// - Returns: An application; `runService()` runs it until SIGTERM or SIGINT.
    package static func buildApplication(
        configuration: SwitchyardConfiguration,
        secrets: ResolvedSecrets,
        logger: Logger,
        onServerRunning: @escaping @Sendable (SocketAddress?) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let roles = configuration.roles
        let registries = MetricsRegistries()
        let monitor = HealthMonitor(
            checks: healthChecks(for: configuration),
            settings: configuration.health,
            roles: roles.names,
            logger: logger
        )
        let router = buildRouter(configuration: configuration, monitor: monitor, registries: registries)
        let http = configuration.http
        return Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [HeadersTimeoutHandler(timeout: .nanoseconds(http.headersTimeout.nanosecondsClamped))],
                    idleTimeout: .nanoseconds(http.keepAliveTimeout.nanosecondsClamped)
                )
            ),
            configuration: ApplicationConfiguration(address: .hostname(http.host, port: http.port), serverName: "Switchyard"),
            services: [monitor],
            onServerRunning: { channel in await onServerRunning(channel.localAddress) },
            logger: logger
        )
    }

    /// The router with the middleware stack and the routes of the selected roles.
    static func buildRouter(
        configuration: SwitchyardConfiguration,
        monitor: HealthMonitor,
        registries: MetricsRegistries
    ) -> Router<SwitchyardRequestContext> {
        let roles = configuration.roles
        let router = Router(context: SwitchyardRequestContext.self)
        var quietPaths: Set<String> = ["/", "/api/v2/health"]
        quietPaths.formUnion(MetricsEndpoint.allCases.map(\.rawValue))
        router.middlewares.add(RequestIDMiddleware())
        router.middlewares.add(AccessLogMiddleware(quietPaths: quietPaths))
        router.middlewares.add(HTTPMetricsMiddleware(registry: registries.shared))
        router.middlewares.add(ErrorMiddleware())
        router.middlewares.add(RequestSizeLimitMiddleware(maxBytes: configuration.http.maxRequestBodyBytes))
        var healthPaths = ["/"]
        if roles.roles.contains(.codeRunner) { healthPaths.append("/api/v2/health") }
        HealthController(monitor: monitor).register(on: router, paths: healthPaths)
        MetricsController(registries: registries).register(on: router, roles: roles)
        return router
    }

    /// The dependency checks the selected roles need.
    static func healthChecks(for configuration: SwitchyardConfiguration) -> [HealthCheck] {
        let needsDatabase: Set<Role> = [.api, .instantWorker, .queuedWorker, .orchestrator, .console]
        var checks: [HealthCheck] = []
        if !configuration.roles.roles.isDisjoint(with: needsDatabase) {
            let probe = DatabaseProbe(location: configuration.data.database)
            checks.append(HealthCheck(name: "database") { logger in try await probe.check(logger: logger) })
        }
        return checks
    }
}
