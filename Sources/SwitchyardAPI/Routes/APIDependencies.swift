import HTTPTypes
import SwitchyardBlobs
import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore

/// What the API's handlers use. The connection services are `nil` where a test needs none;
/// a route that needs one answers `unavailable` then (``require(_:)``).
package struct APIDependencies: Sendable {
    package var records: any RecordStore
    package var jobs: any JobStore
    package var workspaces: WorkspaceDirectory
    package var tenants: TenantDirectory
    /// Object storage (connector packages live in its connectors bucket).
    package var blobs: any BlobStore
    /// The connect flows and connection requests.
    package var connect: ConnectFlow?
    /// Requests to external APIs as a connection (the proxy).
    package var sender: ConnectionSender?
    /// Tests, disconnects, archives and refreshes of stored connections.
    package var lifecycle: ConnectionLifecycle?
    /// Connector operations run as a connection.
    package var operations: ConnectionOperations?
    /// Actions run through connections.
    package var actions: ActionRunner?
    /// The integrations and connector packages this process keeps (forgotten after a change).
    package var configuration: ConnectionResolver?
    /// Webhook notifications to the SaaS.
    package var webhooks: WebhookNotifier?
    /// Starts flow runs.
    package var flowLauncher: FlowLauncher?
    /// Flow instances of connections.
    package var flowInstances: FlowInstances?
    /// Data source instances of connections.
    package var dataSources: DataSourceInstances?
    /// Provider webhook subscriptions of data source instances.
    package var subscriptions: ExternalEventSubscriptions?
    /// The index of records data source instances have seen (both stores keep one).
    package var dataRecords: (any DataRecordIndex)?
    /// Whether queued-task limits apply (`ENABLE_LIMITS`).
    package var limitsEnabled = false
    /// Whether this is a production deployment (`SWITCHYARD_ENV`/`NODE_ENV` = `production`):
    /// then a workspace may not let every origin embed its UI.
    package var isProduction = false
    /// The deployment's default queued-task limits (`QUEUED_TASKS_MAX_*`), shown as the
    /// effective values where no workspace or customer sets its own.
    package var limitDefaults = JobLimitSettings.standard
    /// `BASE_WEBHOOKS_URI`: where the SaaS sends webhooks (app event types' addresses start with it).
    package var webhooksURI = ""

    /// Creates the dependencies.
    /// - Parameter connections: The process's connection services, spread over the fields.
    package init(
        records: any RecordStore, jobs: any JobStore, workspaces: WorkspaceDirectory, tenants: TenantDirectory, blobs: any BlobStore,
        connections: ConnectionServices? = nil
    ) {
        self.records = records
        self.jobs = jobs
        self.workspaces = workspaces
        self.tenants = tenants
        self.blobs = blobs
        connect = connections?.connect
        sender = connections?.sender
        lifecycle = connections?.lifecycle
        operations = connections?.operations
        actions = connections?.actions
        configuration = connections?.resolver
        webhooks = connections?.webhooks
        flowLauncher = connections?.flowLauncher
        flowInstances = connections?.flowInstances
        dataSources = connections?.dataSources
        subscriptions = connections?.subscriptions
        // Both stores keep the index on the same database as the records.
        dataRecords = records as? any DataRecordIndex
    }

    /// A connection service, which every process with the API role has.
    /// - Throws: `unavailable` when this process has no connections set up.
    package func require<Value>(_ service: Value?) throws(SwitchyardError) -> Value {
        guard let service else { throw SwitchyardError(.unavailable, "connections are not set up in this process") }
        return service
    }
}
