import HTTPTypes
import SwitchyardStore

/// What the API's handlers use.
package struct APIDependencies: Sendable {
    package var records: any RecordStore
    package var jobs: any JobStore
    package var workspaces: WorkspaceDirectory
    package var tenants: TenantDirectory

    /// Creates the dependencies.
    package init(records: any RecordStore, jobs: any JobStore, workspaces: WorkspaceDirectory, tenants: TenantDirectory) {
        self.records = records
        self.jobs = jobs
        self.workspaces = workspaces
        self.tenants = tenants
    }
}
