import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardAPI
import SwitchyardBlobs
import SwitchyardCodeRunner
import SwitchyardConsole
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardJobs
import SwitchyardStore
import SwitchyardUI

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
    /// - Throws: ``StartupFailure`` when a role cannot start here (for example the custom code
    ///   runner without a working sandbox).
    package static func buildApplication(
        configuration: SwitchyardConfiguration,
        secrets: ResolvedSecrets,
        logger: Logger,
        onServerRunning: @escaping @Sendable (SocketAddress?) async -> Void = { _ in }
    ) async throws(StartupFailure) -> some ApplicationProtocol {
        let roles = configuration.roles
        let registries = MetricsRegistries()
        let token = InternalToken(secret: secrets.secret)
        var services: [any Service] = []
        var store: OpenStore?
        if !roles.roles.isDisjoint(with: databaseRoles) {
            do {
                store = try OpenStore.open(configuration, secrets: secrets, logger: logger)
            } catch {
                throw StartupFailure("the database cannot be opened: \(error.message)")
            }
            services.append(StoreService(store: store!))
        }
        var blobs: FileBlobStore?
        if !roles.roles.isDisjoint(with: databaseRoles) {
            do {
                blobs = try blobStore(configuration.data)
            } catch {
                throw StartupFailure("object storage cannot be opened: \(error.message)")
            }
        }
        let monitor = HealthMonitor(
            checks: healthChecks(for: configuration, token: token, store: store, blobs: blobs),
            settings: configuration.health,
            roles: roles.names,
            logger: logger
        )
        services.append(monitor)
        let router = buildRouter(configuration: configuration, monitor: monitor, registries: registries)
        var localRunner: CodeRunner?
        if roles.roles.contains(.codeRunner) {
            let runner = try await startCodeRunner(configuration.customCode, registries: registries, logger: logger)
            CodeRunnerRoutes(runner: runner, token: token).register(on: router)
            services.append(CodeRunnerService(runner: runner))
            localRunner = runner
        }
        // The API and the instant workers (scheduled credential refreshes) work with connections.
        var connections: ConnectionServices?
        if !roles.roles.isDisjoint(with: [.api, .instantWorker]), let store, let blobs {
            let code: (any CodeExecutor)? = configuration.urls.customCodeRunnerURI.map { RemoteCodeRunner(baseURL: $0, token: token) } ?? localRunner
            let (built, http) = APIAssembly.connections(
                configuration: configuration, store: store, blobs: blobs, secrets: secrets, code: code, logger: logger)
            services.append(http)
            connections = built
        }
        if let store {
            services += JobAssembly.services(
                configuration: configuration, store: store, connections: connections, registries: registries, monitor: monitor, logger: logger)
        }
        var api: APIPipeline?
        var workspaceDirectory: WorkspaceDirectory?
        if roles.roles.contains(.api), let store, let blobs {
            let (workspaces, pipeline) = await APIAssembly.register(
                on: router, configuration: configuration, store: store, blobs: blobs, secrets: secrets, connections: connections)
            services.append(WorkspaceBootstrap(workspaces: workspaces, monitor: monitor, logger: logger))
            api = pipeline
            workspaceDirectory = workspaces
        }
        if roles.roles.contains(.console), let store {
            let console: Console
            do {
                console = try await ConsoleAssembly.console(configuration: configuration, store: store, secrets: secrets, api: api, logger: logger)
            } catch {
                throw StartupFailure("the console cannot start: \(error)")
            }
            console.register(on: router)
            services.append(ConsoleSetupAnnouncement(console: console, publicURL: configuration.urls.baseURI, monitor: monitor, logger: logger))
        }
        if roles.roles.contains(.ui) {
            do {
                try UIAssembly.ui(configuration: configuration, directory: workspaceDirectory, logger: logger).register(on: router)
            } catch {
                throw StartupFailure("the ui cannot start: \(error)")
            }
        }
        SwitchyardRouter.finish(router)
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
            services: services,
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
        var quietPaths: Set<String> = ["/", "/api/v2/health"]
        quietPaths.formUnion(MetricsEndpoint.allCases.map(\.rawValue))
        let router = SwitchyardRouter.make(
            maxRequestBodyBytes: configuration.http.maxRequestBodyBytes, metrics: registries.shared, quietPaths: quietPaths)
        var healthPaths = ["/"]
        if roles.roles.contains(.codeRunner) { healthPaths.append("/api/v2/health") }
        HealthController(monitor: monitor).register(on: router, paths: healthPaths)
        MetricsController(registries: registries).register(on: router, roles: roles)
        return router
    }

    /// Starts the custom code runner, checking that its sandbox works on this machine.
    static func startCodeRunner(
        _ settings: CustomCodeSettings, registries: MetricsRegistries, logger: Logger
    ) async throws(StartupFailure)
        -> CodeRunner
    {
        if settings.isUnsafe {
            logger.critical(
                "CUSTOM_CODE_UNSAFE_NO_SANDBOX=1: custom code runs WITHOUT OS isolation. Never do this with code you do not trust or in production.")
        }
        let registry = registries.byEndpoint[.codeRunner] ?? registries.shared
        do {
            let runner = try await CodeRunner.start(settings: settings.runner, registry: registry, logger: logger)
            logger.info(
                "custom code runner ready",
                metadata: [
                    "job.spaces": "\(settings.runner.jobSpaces)", "warm.pool": "\(settings.runner.warmPoolSize)",
                    "sandbox": "\(settings.isUnsafe ? "none" : "bubblewrap")",
                ]
            )
            return runner
        } catch {
            throw StartupFailure("the custom code runner cannot start: \(error.message)")
        }
    }

    /// Object storage under `DATA_DIR/blobs`, with the configured bucket names.
    static func blobStore(_ data: DataSettings) throws(SwitchyardError) -> FileBlobStore {
        try FileBlobStore(
            root: data.dataDirectory + "/blobs", bucketNames: [.tmp: data.tmpBucket, .connectors: data.connectorsBucket, .static: data.staticBucket])
    }

    /// The roles that keep state in the database.
    static let databaseRoles: Set<Role> = [.api, .instantWorker, .queuedWorker, .orchestrator, .console]

    /// The dependency checks the selected roles need.
    ///
    /// The `database` check also brings the schema in line: all-in-one applies pending
    /// migrations (it is the embedded default, nobody else would), every other role refuses to
    /// run against a schema older or newer than its own and says to run `switchyard migrate`.
    static func healthChecks(
        for configuration: SwitchyardConfiguration, token: InternalToken, store: OpenStore?, blobs: FileBlobStore?
    ) -> [HealthCheck] {
        var checks: [HealthCheck] = []
        if let blobs {
            checks.append(HealthCheck(name: "storage") { _ in try await blobs.probe() })
        }
        if let store {
            let probe = DatabaseProbe(location: configuration.data.database)
            let migrates = configuration.roles.isAllInOne
            checks.append(
                HealthCheck(name: "database") { logger in
                    try await probe.check(logger: logger)
                    if migrates {
                        let applied = try await store.migrator.migrate()
                        if !applied.isEmpty { logger.info("database migrated", metadata: ["versions": "\(applied)"]) }
                    } else if let problem = Migrations.mismatch(current: try await store.migrator.currentVersion()) {
                        throw PermanentCheckFailure(problem)
                    }
                })
        }
        let runsCustomCode: Set<Role> = [.api, .instantWorker, .queuedWorker]
        if let uri = configuration.urls.customCodeRunnerURI, !configuration.roles.roles.isDisjoint(with: runsCustomCode) {
            let remote = RemoteCodeRunner(baseURL: uri, token: token)
            checks.append(HealthCheck(name: "custom_code") { _ in try await remote.probe() })
        }
        return checks
    }
}
