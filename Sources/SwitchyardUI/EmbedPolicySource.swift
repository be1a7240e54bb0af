import SwitchyardCore

/// Where the UI learns which origins may embed a workspace's pages (the workspace's
/// `uiAllowedOrigins`).
package protocol EmbedPolicySource: Sendable {
    /// The origins allowed to embed the workspace's UI (`*` for any), possibly empty.
    /// - Throws: `not_found` when no workspace has the key.
    func allowedOrigins(workspaceKey: String) async throws(SwitchyardError) -> [String]
}
