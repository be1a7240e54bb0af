import SwitchyardStore

/// Who is calling, once their token was verified.
package struct Caller: Sendable, Equatable {
    /// The workspace the token belongs to.
    package var workspaceID: String
    /// The tenant's record id, for tenant tokens.
    package var tenantID: String?
    /// The tenant's id as the SaaS backend knows it (`id` / `tenantKey` claim).
    package var tenantKey: String?
    /// Whether this is an admin token (no tenant).
    package var isAdmin: Bool

    /// The store scope the caller's requests run under.
    package var scope: StoreScope {
        if let tenantID { return .tenant(tenantID, in: workspaceID) }
        return .workspace(workspaceID)
    }
}
