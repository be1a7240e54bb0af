import HTTPTypes
import SwitchyardBlobs
import SwitchyardEngine
import SwitchyardStore

/// What the API's handlers use.
package struct APIDependencies: Sendable {
    package var records: any RecordStore
    package var jobs: any JobStore
    package var workspaces: WorkspaceDirectory
    package var tenants: TenantDirectory
    /// Object storage (connector packages live in its connectors bucket).
    package var blobs: any BlobStore
    /// Connections at work (connect flow, refresh, proxy); `nil` where a test needs none.
    package var connections: ConnectionRuntime?

    /// Creates the dependencies.
    package init(records: any RecordStore, jobs: any JobStore, workspaces: WorkspaceDirectory, tenants: TenantDirectory, blobs: any BlobStore, connections: ConnectionRuntime? = nil) {
        self.records = records
        self.jobs = jobs
        self.workspaces = workspaces
        self.tenants = tenants
        self.blobs = blobs
        self.connections = connections
    }
}
