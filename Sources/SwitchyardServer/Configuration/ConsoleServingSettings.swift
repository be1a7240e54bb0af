/// Where the console role serves its pages (`CONSOLE_BASE_PATH`).
package struct ConsoleServingSettings: Sendable, Equatable {
    /// The path every console URL starts with, without a trailing slash (`/console` by default).
    package var basePath: String
    /// The engine API the console calls over HTTP when the `api` role is not in the same process
    /// (`ENGINE_API_URI`, or the seed's `NEXT_PUBLIC_ENGINE_API_URI`).
    package var engineAPIURI: String?

    /// Reads the settings. `CONSOLE_BASE_PATH` wins; the seed's `BASE_PATH` is accepted when the
    /// console role runs alone (in a shared process it would be ambiguous).
    /// - Parameters:
    ///   - env: The environment reader; problems are recorded there.
    ///   - roles: The roles this process runs.
    package init(env: inout EnvironmentReader, roles: RoleSelection) {
        engineAPIURI = env.httpURL("ENGINE_API_URI") ?? env.httpURL("NEXT_PUBLIC_ENGINE_API_URI")
        if roles.roles.contains(.console), !roles.roles.contains(.api), engineAPIURI == nil {
            env.report("ENGINE_API_URI", "is required when the console role runs without the api role (the API's URL, e.g. http://api:9000)")
        }
        basePath = BasePath.read(&env, "CONSOLE_BASE_PATH", role: .console, roles: roles, default: "/console", example: "/admin/console")
    }
}
