import Logging
import SwitchyardAPI
import SwitchyardCore
import SwitchyardUI

/// Builds the `ui` role: the end-user pages and the SDK. The pages call the API on the same
/// origin when the `api` role runs here, else through the UI's forwarding path to
/// `ENGINE_API_URI`.
enum UIAssembly {
    /// The UI. With the api role in the process it reads the embedding origins from the API's
    /// workspace directory (a change applies at once); without it, from the engine at
    /// `ENGINE_API_URI` (a change arrives within seconds), and it needs no database.
    /// - Throws: When its assets cannot be loaded (a packaging fault).
    static func ui(configuration: SwitchyardConfiguration, directory: WorkspaceDirectory?, logger: Logger) throws(SwitchyardError) -> EmbeddedUI {
        let settings = UISettings(basePath: configuration.ui.basePath, engineAPIURI: configuration.ui.engineAPIURI)
        let policies: any EmbedPolicySource =
            if let directory { WorkspaceEmbedPolicies(directory: directory) } else {
                EngineEmbedPolicies(baseURL: configuration.ui.engineAPIURI ?? "http://127.0.0.1:9000")
            }
        return EmbeddedUI(settings: settings, assets: try UIAssets(), policies: policies, logger: logger)
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
