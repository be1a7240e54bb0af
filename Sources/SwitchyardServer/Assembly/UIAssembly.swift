import Logging
import SwitchyardAPI
import SwitchyardCore
import SwitchyardUI

/// Builds the `ui` role: the end-user pages and the SDK. The embedding origins come from the
/// workspaces in the store; the pages call the API on the same origin when the `api` role runs
/// here, else through the UI's forwarding path to `ENGINE_API_URI`.
enum UIAssembly {
    /// The UI over the workspaces (the API's directory when the api role runs here, so a change
    /// of origins applies at once; otherwise a change reaches this process within the directory's
    /// cache time).
    /// - Throws: When its assets cannot be loaded (a packaging fault).
    static func ui(configuration: SwitchyardConfiguration, directory: WorkspaceDirectory, logger: Logger) throws(SwitchyardError) -> EmbeddedUI {
        EmbeddedUI(
            settings: UISettings(basePath: configuration.ui.basePath, engineAPIURI: configuration.ui.engineAPIURI), assets: try UIAssets(),
            policies: WorkspaceEmbedPolicies(directory: directory), logger: logger)
    }
}

/// The embedding origins of the workspaces in the store.
struct WorkspaceEmbedPolicies: EmbedPolicySource {
    /// The workspaces.
    let directory: WorkspaceDirectory

    func allowedOrigins(workspaceKey: String) async throws(SwitchyardError) -> [String] {
        try await directory.workspace(key: workspaceKey).uiAllowedOrigins
    }
}
