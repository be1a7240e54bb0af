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
        var name = "UI_BASE_PATH"
        var value = env.string(name)
        if value == nil, roles.roles == [.ui], let seed = env.string("BASE_PATH") {
            name = "BASE_PATH"
            value = seed
        }
        basePath = "/ui"
        guard let value else { return }
        switch BasePath.parse(value) {
        case .success(let path): basePath = path
        case .failure:
            env.report(name, "must be a path such as /ui or /app/integrations: starting with /, not / alone, letters, digits, - . _ ~ and /")
        }
    }
}

/// A path prefix a role serves under.
enum BasePath {
    /// The prefix without a trailing slash, or a failure when it is not a usable path.
    static func parse(_ value: String) -> Result<String, ConfigurationProblemText> {
        var path = value
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")
        if !path.hasPrefix("/") || path == "/" || !path.allSatisfy(allowed.contains) || path.contains("//") {
            return .failure(ConfigurationProblemText())
        }
        return .success(path)
    }
}

/// A base path that is not one.
struct ConfigurationProblemText: Error {}
