import ArgumentParser
import SwitchyardCore

/// `switchyard token --admin`: mints an admin token for scripts and tests.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint an API token. Reads the same environment and DATA_DIR as the server."
    )

    @Flag(name: .long, help: "Mint a platform admin token.")
    var admin = false

    @Option(name: .long, help: "Lifetime in seconds (60 to 2592000).")
    var lifetime = 3600

    func validate() throws {
        guard admin else { throw ValidationError("say which token: --admin") }
        guard (60...2_592_000).contains(lifetime) else { throw ValidationError("--lifetime must be 60 to 2592000 seconds") }
    }

    func run() async throws {
        let configuration = try CommandSupport.loadConfiguration()
        let secrets: ResolvedSecrets
        do {
            try DataDirectory.create(configuration.data.dataDirectory)
            secrets = try SecretFileStore(directory: configuration.data.dataDirectory).resolve(configuration.secrets)
        } catch {
            CommandSupport.printError("token: \(error.message)")
            throw ExitCode(1)
        }
        let issuer = await AdminTokenIssuer(secret: secrets.secret)
        print(try await issuer.mint(lifetime: .seconds(lifetime)))
    }
}
