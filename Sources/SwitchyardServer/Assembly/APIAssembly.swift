import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SwitchyardAPI
import SwitchyardBlobs
import SwitchyardCodeRunner
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// Builds the API role: the REST routes, `/openapi.json`, and the first-start workspace.
enum APIAssembly {
    /// The API's pipeline over a store: every route with authentication, the configured rate
    /// limits and time limit.
    static func pipeline(
        configuration: SwitchyardConfiguration, store: OpenStore, blobs: any BlobStore, secrets: ResolvedSecrets,
        connections: ConnectionServices? = nil
    ) async -> (APIPipeline, WorkspaceDirectory) {
        let workspaces = WorkspaceDirectory(records: store.records)
        let tenants = TenantDirectory(records: store.records)
        let issuer = await AdminTokenIssuer(secret: secrets.secret)
        let authenticator = TokenAuthenticator(
            directory: workspaces, tenants: tenants, maxLifetime: configuration.api.tokenMaxLifetime,
            verifyPlatformToken: { token in (try? await issuer.verify(token)) != nil }
        )
        var dependencies = APIDependencies(
            records: store.records, jobs: store.jobs, workspaces: workspaces, tenants: tenants, blobs: blobs, connections: connections
        )
        dependencies.limitsEnabled = configuration.work.limitsEnabled
        dependencies.isProduction = configuration.secrets.isProduction
        dependencies.limitDefaults = configuration.jobs.limits
        dependencies.webhooksURI = configuration.urls.webhooksURI
        let api = configuration.api
        let limiter =
            configuration.work.limitsEnabled
            ? RequestRateLimiter(
                rates: .init(
                    perTenant: Double(api.tenantRequestsPerSecond), perWorkspace: Double(api.workspaceRequestsPerSecond), processes: api.apiProcesses)
            )
            : nil
        let pipeline = APIPipeline(
            dependencies: dependencies, authenticator: authenticator, limiter: limiter, requestTimeLimit: api.requestTimeLimit,
            maxResponseBytes: api.maxResponseBytes
        )
        return (pipeline, workspaces)
    }

    /// Registers the REST API and `/openapi.json`, which describes it and the role's
    /// operational endpoints.
    /// - Returns: The workspace directory, for the first-start bootstrap, and the pipeline (the
    ///   console in the same process calls its routes).
    static func register(
        on router: Router<SwitchyardRequestContext>, configuration: SwitchyardConfiguration, store: OpenStore, blobs: any BlobStore,
        secrets: ResolvedSecrets,
        connections: ConnectionServices? = nil
    ) async -> (WorkspaceDirectory, APIPipeline) {
        let (pipeline, workspaces) = await pipeline(
            configuration: configuration, store: store, blobs: blobs, secrets: secrets, connections: connections)
        let operational = operationalEndpoints(configuration.roles) + pipeline.endpoints
        let document = OpenAPIDocument.build(routes: pipeline.routes.all, operational: operational, version: SwitchyardVersion.current)
        pipeline.register(on: router, document: document)
        return (workspaces, pipeline)
    }

    /// The connection services of a process: one outbound HTTP client (shut down by the
    /// returned service), OAuth state signed with `SECRET`, callbacks at `BASE_OAUTH_CALLBACK_URI`,
    /// credentials where `CONNECTION_CREDENTIALS_STORAGE_TYPE` says, JavaScript functions run
    /// by `code`.
    static func connections(
        configuration: SwitchyardConfiguration, store: OpenStore, blobs: any BlobStore, secrets: ResolvedSecrets, code: (any CodeExecutor)?,
        logger: Logger
    ) -> (ConnectionServices, OutboundHTTPService) {
        var settings = OutboundHTTPSettings()
        settings.addressPolicy = configuration.api.outboundPolicy
        let sink = StoredExternalAPILogSink(records: store.records, logger: logger)
        let http = OutboundHTTPClient(settings: settings, logSink: sink, logger: logger)
        let work = configuration.work
        let storage: CredentialVault.Mode = work.credentialsStorage == "external_api" ? .externalAPI(work.credentialsEndpoint ?? "") : .database
        let services = ConnectionServices(
            records: store.records, jobs: store.jobs, blobs: blobs, http: http, code: code,
            settings: .init(
                stateSecret: secrets.secret, baseURI: configuration.urls.baseURI, callbackBase: configuration.urls.oauthCallbackURI,
                holder: "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))",
                credentialStorage: storage,
                webhookRetry: .init(maxAttempts: work.webhookMaxAttempts, base: work.webhookRetryBase),
                jobLimits: work.limitsEnabled ? configuration.jobs.limits : nil, uiURI: configuration.uiPublicURI,
                webhooksBase: configuration.urls.webhooksURI
            ),
            logger: logger
        )
        return (services, OutboundHTTPService(http: http, sink: sink))
    }

    /// The endpoints outside the REST API that a process with these roles serves.
    static func operationalEndpoints(_ roles: RoleSelection) -> [OpenAPIDocument.Operational] {
        var endpoints = [
            OpenAPIDocument.Operational(
                method: "GET", path: "/", summary: "Health: 200 when ready, 503 naming the failing check", contentType: "application/json"),
            OpenAPIDocument.Operational(method: "GET", path: "/openapi.json", summary: "This document", contentType: "application/json"),
        ]
        for endpoint in MetricsEndpoint.allCases where roles.roles.contains(endpoint.role) {
            endpoints.append(.init(method: "GET", path: endpoint.rawValue, summary: "Prometheus metrics", contentType: "text/plain"))
        }
        if roles.roles.contains(.codeRunner) {
            endpoints.append(.init(method: "GET", path: "/api/v2/health", summary: "Code runner health", contentType: "application/json"))
            endpoints.append(
                .init(
                    method: "POST", path: "/api/v2/jobs", summary: "Internal: run custom code (internal token)", contentType: "application/x-ndjson"))
            endpoints.append(
                .init(
                    method: "POST", path: "/api/v2/jobs/{jobID}/responses", summary: "Internal: answer a job's API call (internal token)",
                    contentType: "application/json")
            )
        }
        return endpoints
    }
}

/// Creates the install's first workspace once the database is ready, and says how to use it.
struct WorkspaceBootstrap: Service {
    let workspaces: WorkspaceDirectory
    let monitor: HealthMonitor
    let logger: Logger

    func run() async throws {
        let (workspaces, logger) = (workspaces, logger)
        await OnceReady.run(monitor: monitor, logger: logger, failure: "cannot create the first workspace") { () throws(SwitchyardError) in
            let (workspace, created) = try await workspaces.defaultWorkspace()
            if created {
                logger.info(
                    "created the first workspace; run `switchyard workspace credentials` for the key and secret that sign tenant tokens",
                    metadata: ["workspace.key": "\(workspace.key)"]
                )
            }
        }
    }
}

/// Writes the external API log while the process runs; at shutdown, closes the outbound
/// HTTP client's connections and writes what is left.
struct OutboundHTTPService: Service {
    let http: OutboundHTTPClient
    let sink: StoredExternalAPILogSink

    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await cancelWhenGracefulShutdown { await sink.run() } }
            try? await gracefulShutdown()
        }
        await shutdown()
    }

    /// Closes the outbound HTTP client's connections and writes what is left of the log.
    func shutdown() async {
        try? await http.shutdown()
        await sink.flush()
    }
}
