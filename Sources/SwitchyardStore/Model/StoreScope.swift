/// Whose data an operation may touch. There is no unscoped access to tenant data.
///
/// - A workspace scope (admin) reaches every row of the workspace.
/// - A tenant scope reads the tenant's own rows and the workspace's shared rows (those with no
///   tenant: integrations, universal elements), and changes only the tenant's own rows.
package struct StoreScope: Sendable, Hashable, CustomStringConvertible {
    /// The workspace.
    package var workspaceID: String
    /// The tenant, for tenant scopes.
    package var tenantID: String?

    /// A workspace (admin) scope.
    package static func workspace(_ id: String) -> StoreScope { StoreScope(workspaceID: id, tenantID: nil) }
    /// A tenant scope.
    package static func tenant(_ id: String, in workspace: String) -> StoreScope { StoreScope(workspaceID: workspace, tenantID: id) }

    package var description: String { tenantID.map { "\(workspaceID)/\($0)" } ?? workspaceID }
}
