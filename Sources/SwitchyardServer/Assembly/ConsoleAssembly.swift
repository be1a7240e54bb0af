import Hummingbird
import Logging
import ServiceLifecycle
import SwitchyardAPI
import SwitchyardConsole
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// Builds the console role: its pages under the base path, and the service that prints the
/// first-run setup code once the database is ready and has no console account.
enum ConsoleAssembly {
    /// How long the console's admin tokens for a separate api process are valid.
    static let engineTokenLifetime: Duration = .seconds(300)

    /// The console over a store; its users live in the install's default workspace. It calls the
    /// engine in process when the api role runs here (`api`), else over HTTP at `ENGINE_API_URI`
    /// with admin tokens signed from `SECRET`.
    /// - Throws: When the console's templates cannot be loaded (a packaging fault).
    static func console(
        configuration: SwitchyardConfiguration, store: OpenStore, secrets: ResolvedSecrets, api: APIPipeline?,
        logger: Logger = Logger(label: "switchyard.console")
    ) async throws -> Console {
        let workspace = workspace(store.records)
        let engine: any ConsoleEngine
        if let api {
            engine = InProcessConsoleEngine(api: api, workspace: workspace, logger: logger)
        } else {
            let issuer = await AdminTokenIssuer(secret: secrets.secret)
            let lifetime = engineTokenLifetime
            engine = HTTPConsoleEngine(baseURL: configuration.console.engineAPIURI ?? "http://127.0.0.1:9000") {
                (try await issuer.mint(lifetime: lifetime), lifetime)
            }
        }
        return Console(
            settings: settings(configuration), records: store.records, workspace: workspace, engine: engine, templates: try ConsoleTemplates(),
            oidc: oidc(configuration))
    }

    /// OpenID Connect sign-in from the configuration, or `nil` when it is not configured. The
    /// redirect URI is the public URL (`BASE_URI`) + the console's base path +
    /// `/login/oidc/callback`.
    static func oidc(_ configuration: SwitchyardConfiguration) -> OIDCSettings? {
        let auth = configuration.consoleAuth
        guard let issuer = auth.oidcIssuer, let clientID = auth.oidcClientID, let clientSecret = auth.oidcClientSecret else { return nil }
        let redirectURI = configuration.urls.baseURI + settings(configuration).url("/login/oidc/callback")
        return OIDCSettings(
            issuer: issuer, clientID: clientID, clientSecret: clientSecret, providerName: auth.oidcProviderName ?? issuer,
            redirectURI: redirectURI, allowedEmailDomains: auth.allowedEmailDomains)
    }

    /// The console's serving settings from the configuration.
    static func settings(_ configuration: SwitchyardConfiguration) -> ConsoleSettings {
        ConsoleSettings(basePath: configuration.console.basePath, secureCookies: configuration.urls.baseURI.lowercased().hasPrefix("https://"))
    }

    /// The console accounts over a store (the `console users` commands).
    static func accounts(_ records: any RecordStore) -> ConsoleAccounts {
        ConsoleAccounts(records: records, workspace: workspace(records))
    }

    /// The install's default workspace, created on an empty install (as the API does).
    static func workspace(_ records: any RecordStore) -> ConsoleWorkspace {
        let directory = WorkspaceDirectory(records: records)
        return ConsoleWorkspace { () async throws(SwitchyardError) -> String in try await directory.defaultWorkspace().0.key }
    }
}

/// Prints the console's first-run setup code in the log once the database is ready, while no
/// console account exists; with OpenID Connect sign-in, also the redirect URI to register at the
/// provider.
struct ConsoleSetupAnnouncement: Service {
    let console: Console
    let publicURL: String
    let monitor: HealthMonitor
    let logger: Logger

    func run() async throws {
        let (console, publicURL, logger) = (console, publicURL, logger)
        await OnceReady.run(monitor: monitor, logger: logger, failure: "cannot read the console accounts") { () throws(SwitchyardError) in
            if let oidc = console.oidcSettings {
                let message = "console sign-in through OpenID Connect at \(oidc.issuer); the provider must allow the redirect URI \(oidc.redirectURI)"
                logger.notice("\(message)")
            }
            if try await !console.accounts.anyExists() {
                let page = publicURL + console.settings.url("/setup")
                logger.notice("console first-run setup: open \(page) and enter the setup code \(console.setupCode.value)")
            }
        }
    }
}
