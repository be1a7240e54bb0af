/// The whole configuration of one process, read once from the environment at start-up.
///
/// Each component reads its own settings struct; every problem in every component is
/// collected, and ``load(environment:roleOverride:)`` throws them together.
package struct SwitchyardConfiguration: Sendable {
    /// The roles this process runs.
    package var roles: RoleSelection
    /// Listening address and HTTP limits.
    package var http: HTTPServerSettings
    /// Public and internal URLs.
    package var urls: PublicURLSettings
    /// Data directory, database and storage.
    package var data: DataSettings
    /// The configured deployment secrets.
    package var secrets: SecretSettings
    /// Start-up and periodic dependency checks.
    package var health: HealthCheckSettings
    /// Limits on queued work, flow nodes and custom code.
    package var work: WorkSettings
    /// The job queue, workers and orchestrator.
    package var jobs: JobSettings
    /// The REST API's limits.
    package var api: APISettings
    /// The custom code runner's limits and isolation.
    package var customCode: CustomCodeSettings
    /// Console login.
    package var consoleAuth: ConsoleAuthSettings
    /// Where the console is served.
    package var console: ConsoleServingSettings
    /// Where the end-user UI is served.
    package var ui: UIServingSettings

    /// The end-user UI's public URL, where connection request links open: `ENGINE_UI_URI`, else
    /// `BASE_URI` + `UI_BASE_PATH` when this process runs the ui role, else unknown.
    package var uiPublicURI: String? {
        ui.publicURI ?? (roles.roles.contains(.ui) ? urls.baseURI + ui.basePath : nil)
    }
    /// Whether debug logging is on (`DEBUG_ALL`).
    package var debugLogging: Bool
    /// The raw environment, kept only so `config check` can tell set from default.
    package var environment: [String: String]

    /// Reads and validates the configuration.
    /// - Parameters:
    ///   - environment: The variables, usually the process environment.
    ///   - roleOverride: Roles from `serve --role`, which win over the `IS_*` variables.
    /// - Throws: ``ConfigurationError`` listing every problem found.
    package static func load(
        environment: [String: String],
        roleOverride: RoleSelection? = nil
    ) throws(ConfigurationError) -> SwitchyardConfiguration {
        var env = EnvironmentReader(environment: environment)
        let roles = RoleSelection(env: &env, override: roleOverride)
        let http = HTTPServerSettings(env: &env)
        let secrets = SecretSettings(env: &env)
        let configuration = SwitchyardConfiguration(
            roles: roles,
            http: http,
            urls: PublicURLSettings(env: &env, http: http),
            data: DataSettings(env: &env),
            secrets: secrets,
            health: HealthCheckSettings(env: &env),
            work: WorkSettings(env: &env),
            jobs: JobSettings(env: &env),
            api: APISettings(env: &env),
            customCode: CustomCodeSettings(env: &env, production: secrets.isProduction),
            consoleAuth: ConsoleAuthSettings(env: &env),
            console: ConsoleServingSettings(env: &env, roles: roles),
            ui: UIServingSettings(env: &env, roles: roles),
            debugLogging: env.bool("DEBUG_ALL", default: false),
            environment: environment
        )
        refuseForeignStores(&env)
        guard env.problems.isEmpty else { throw ConfigurationError(problems: env.problems) }
        return configuration
    }

    /// MongoDB and Redis settings mean someone copied the reference system's environment:
    /// say plainly that Switchyard needs neither, rather than ignoring them silently.
    private static func refuseForeignStores(_ env: inout EnvironmentReader) {
        let message = "Switchyard keeps all state in PostgreSQL (DATABASE_URL) or embedded SQLite and needs no"
        if env.string("MONGO_URI") != nil {
            env.report("MONGO_URI", "\(message) MongoDB; remove MONGO_URI and set DATABASE_URL")
        }
        for name in ["REDIS_URI"] + (1...16).map({ "REDIS_CLUSTER_URI_\($0)" }) where env.string(name) != nil {
            env.report(name, "\(message) Redis (jobs, locks and caches live in the database); remove \(name)")
        }
    }
}
