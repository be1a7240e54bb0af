import SwitchyardHTTP
import SwitchyardStore

extension Caller {
    /// The store scope the caller's requests run under.
    package var scope: StoreScope {
        if let tenantID { return .tenant(tenantID, in: workspaceID) }
        return .workspace(workspaceID)
    }
}
