import Foundation
import Logging
import SwitchyardBlobs
import SwitchyardCodeRunner
import SwitchyardStore

/// Connections at work, as the focused services a process builds once and hands to the API,
/// the job handlers and the flow runner: the connect flows (``ConnectFlow``), requests as a
/// connection (``ConnectionSender``), tests, disconnects and refreshes (``ConnectionLifecycle``),
/// operations and actions (``ConnectionOperations``), refresh that never races
/// (``CredentialRefresher``), the configuration they share (``ConnectionResolver``), and the
/// webhooks, flow launcher and flow instances that react to connections.
package struct ConnectionServices: Sendable {
    /// Integrations, connector packages, credentials and API clients of connections.
    package let resolver: ConnectionResolver
    /// Refreshes credentials, once at a time per connection across processes.
    let refresher: CredentialRefresher
    /// Requests to external APIs as a connection.
    package let sender: ConnectionSender
    /// The connect flows and connection requests.
    package let connect: ConnectFlow
    /// Tests, disconnects, archives and refreshes stored connections.
    package let lifecycle: ConnectionLifecycle
    /// Operations, data collection methods, custom code and requests to the SaaS's API.
    package let operations: ConnectionOperations
    /// Webhook notifications to the SaaS.
    package let webhooks: WebhookNotifier
    /// Starts flow runs (with the queued queue's limits).
    package let flowLauncher: FlowLauncher
    /// Flow instances of connections.
    package let flowInstances: FlowInstances
    /// Data source instances of connections.
    package let dataSources: DataSourceInstances
    /// Provider webhook subscriptions of data source instances.
    package let subscriptions: ExternalEventSubscriptions
    private let records: any RecordStore
    private let jobs: any JobStore

    /// What the services are built from.
    package struct Settings: Sendable {
        /// `SECRET`, from which the OAuth state key is derived.
        package var stateSecret: String
        /// `BASE_URI`.
        package var baseURI: String
        /// `BASE_OAUTH_CALLBACK_URI`; providers redirect to `<base>/oauth-callback`.
        package var callbackBase: String
        /// This process's name in refresh lease rows.
        package var holder: String
        /// `CONNECTION_CREDENTIALS_STORAGE_TYPE` (and its endpoint).
        package var credentialStorage: CredentialVault.Mode = .database
        /// How long a process keeps an integration and its connector package before reading
        /// them again (another process's changes show within this; zero reads every time).
        package var configurationTimeToLive: Duration = .seconds(2)
        /// How webhook deliveries are retried.
        package var webhookRetry = WebhookNotifier.Retry()
        /// The queued queue's limits (`ENABLE_LIMITS`), which bound each connection's flow runs.
        package var jobLimits: JobLimitSettings?
        /// `BASE_WEBHOOKS_URI`, where providers send webhooks (`nil`: the base URI).
        package var webhooksBase: String?
        /// The end-user UI's public URL (`ENGINE_UI_URI`, base path included), where connection
        /// request links open; `nil` for the API's plain `/connect` form.
        package var uiURI: String?

        /// Creates settings.
        package init(
            stateSecret: String, baseURI: String, callbackBase: String, holder: String, credentialStorage: CredentialVault.Mode = .database,
            webhookRetry: WebhookNotifier.Retry = .init(), jobLimits: JobLimitSettings? = nil, uiURI: String? = nil, webhooksBase: String? = nil
        ) {
            self.webhooksBase = webhooksBase
            self.jobLimits = jobLimits
            self.uiURI = uiURI
            self.stateSecret = stateSecret
            self.baseURI = baseURI
            self.callbackBase = callbackBase
            self.holder = holder
            self.credentialStorage = credentialStorage
            self.webhookRetry = webhookRetry
        }
    }

    /// Builds the services.
    /// - Parameter code: The custom code runner, for JavaScript connector functions.
    package init(
        records: any RecordStore, jobs: any JobStore, blobs: any BlobStore, http: OutboundHTTPClient, code: (any CodeExecutor)?, settings: Settings,
        logger: Logger
    ) {
        self.records = records
        self.jobs = jobs
        let issuer = SwitchyardTokenIssuer(records: records)
        let vault = CredentialVault(mode: settings.credentialStorage, http: http, issuer: issuer)
        let resolver = ConnectionResolver(
            records: records, loader: ConnectorLoader(records: records, blobs: blobs), vault: vault, functions: ConnectorFunctionRunner(code: code),
            issuer: issuer,
            http: http, configurationTimeToLive: settings.configurationTimeToLive
        )
        self.resolver = resolver
        let webhooks = WebhookNotifier(
            records: records, http: http, retry: settings.webhookRetry, settingsTimeToLive: settings.configurationTimeToLive, logger: logger)
        self.webhooks = webhooks
        let renewer = CredentialRenewer(resolver: resolver)
        refresher = CredentialRefresher(
            records: records, jobs: jobs, vault: vault, holder: settings.holder, logger: logger,
            disconnected: { connection in
                await webhooks.notify(
                    "connection.disconnected", workspaceID: connection.workspaceID, tenantID: connection.tenantID,
                    data: ConnectionDocument.event(connection)
                )
            }
        ) { connection in
            await renewer.refresh(connection)
        }
        sender = ConnectionSender(resolver: resolver, refresher: refresher, logger: logger)
        flowLauncher = FlowLauncher(records: records, jobs: jobs, webhooks: webhooks, limits: settings.jobLimits, logger: logger)
        flowInstances = FlowInstances(records: records, jobs: jobs, logger: logger)
        dataSources = DataSourceInstances(records: records, jobs: jobs, logger: logger)
        connect = ConnectFlow(
            resolver: resolver, jobs: jobs, webhooks: webhooks, flowInstances: flowInstances, state: SignedState(secret: settings.stateSecret),
            callbackURL: Self.trimmed(settings.callbackBase) + "/oauth-callback", baseURL: Self.trimmed(settings.baseURI),
            uiURL: settings.uiURI.map(Self.trimmed), logger: logger
        )
        lifecycle = ConnectionLifecycle(resolver: resolver, sender: sender, refresher: refresher, webhooks: webhooks, logger: logger)
        let operations = ConnectionOperations(resolver: resolver, sender: sender)
        self.operations = operations
        // Both stores keep the record index on the same database as the records.
        subscriptions = ExternalEventSubscriptions(
            records: records, operations: operations, launcher: flowLauncher, index: records as? any DataRecordIndex,
            webhooksBase: settings.webhooksBase ?? settings.baseURI, logger: logger)
    }

    /// Runs actions through these connections.
    package var actions: ActionRunner {
        ActionRunner(sender: sender, operations: operations)
    }

    /// The flow runner of the queued workers, over these connections.
    /// - Parameter maxOutputBytes: `MAX_NODE_RUN_OUTPUT_SIZE_MB`, in bytes.
    package func flowRunner(maxOutputBytes: Int, logger: Logger) -> FlowRunner {
        FlowRunner(
            records: records, jobs: jobs, actions: actions, launcher: flowLauncher, instances: flowInstances, webhooks: webhooks,
            maxOutputBytes: maxOutputBytes,
            logger: logger
        )
    }

    /// The data source puller of the queued workers, over these connections.
    package func dataPuller(index: any DataRecordIndex, settings: DataPuller.Settings, logger: Logger) -> DataPuller {
        DataPuller(
            records: records, jobs: jobs, index: index, operations: operations, launcher: flowLauncher, instances: dataSources,
            subscriptions: subscriptions, settings: settings, logger: logger)
    }

    private static func trimmed(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }
}
