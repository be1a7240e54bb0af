/// Where the `ui` role serves the end-user pages (`UI_BASE_PATH`) and which engine it forwards
/// their API calls to when the `api` role is not in the same process (`ENGINE_API_URI`).
package struct UIServingSettings: Sendable, Equatable {
    /// The path every UI page starts with, without a trailing slash (`/ui` by default).
    package var basePath: String
    /// The engine API the UI forwards to when the `api` role runs elsewhere.
    package var engineAPIURI: String?
    /// The UI's public URL with its base path (`ENGINE_UI_URI`, the seed's
    /// `NEXT_PUBLIC_ENGINE_UI_URI`), where connection request links open; when unset, a process
    /// that runs the ui uses `BASE_URI` + the base path.
    package var publicURI: String?

    /// Reads the settings. `UI_BASE_PATH` wins; the seed's `BASE_PATH` is accepted when the ui
    /// role runs alone.
    /// - Parameters:
    ///   - env: The environment reader; problems are recorded there.
    ///   - roles: The roles this process runs.
    package init(env: inout EnvironmentReader, roles: RoleSelection) {
        let runsUI = roles.roles.contains(.ui)
        publicURI = env.httpURL("ENGINE_UI_URI") ?? env.httpURL("NEXT_PUBLIC_ENGINE_UI_URI")
        engineAPIURI =
            roles.roles.contains(.api)
            ? nil : env.httpURL("ENGINE_API_URI") ?? env.httpURL("NEXT_PUBLIC_ENGINE_API_URI") ?? env.httpURL("NEXT_PUBLIC_ENGINE_URI")
        if runsUI, !roles.roles.contains(.api), engineAPIURI == nil {
            env.report("ENGINE_API_URI", "is required when the ui role runs without the api role (the API's URL, e.g. http://api:9000)")
        }
        basePath = BasePath.read(&env, "UI_BASE_PATH", role: .ui, roles: roles, default: "/ui", example: "/app/integrations")
    }
}
