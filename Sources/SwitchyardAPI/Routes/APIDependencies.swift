import HTTPTypes
import SwitchyardBlobs
import SwitchyardStore

/// What the API's handlers use.
package struct APIDependencies: Sendable {
    package var records: any RecordStore
    package var jobs: any JobStore
    package var workspaces: WorkspaceDirectory
    package var tenants: TenantDirectory
    /// Object storage (connector packages live in its connectors bucket).
    package var blobs: any BlobStore

    /// Creates the dependencies.
    package init(records: any RecordStore, jobs: any JobStore, workspaces: WorkspaceDirectory, tenants: TenantDirectory, blobs: any BlobStore) {
        self.records = records
        self.jobs = jobs
        self.workspaces = workspaces
        self.tenants = tenants
        self.blobs = blobs
    }
}
