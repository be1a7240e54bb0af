/// Who is calling, once the authentication middleware verified their token.
///
/// It lives in the request context (``SwitchyardRequestContext/caller``), so every route and
/// middleware after authentication reads the same value.
package struct Caller: Sendable, Equatable {
    /// The workspace the token belongs to.
    package var workspaceID: String
    /// The tenant's record id, for tenant tokens.
    package var tenantID: String?
    /// The tenant's id as the SaaS backend knows it (`id` / `tenantKey` claim).
    package var tenantKey: String?
    /// Whether this is an admin token (no tenant).
    package var isAdmin: Bool

    /// Creates a caller.
    package init(workspaceID: String, tenantID: String?, tenantKey: String?, isAdmin: Bool) {
        self.workspaceID = workspaceID
        self.tenantID = tenantID
        self.tenantKey = tenantKey
        self.isAdmin = isAdmin
    }
}
