import ArgumentParser
import Foundation
import JWTKit
import SwitchyardAPI
import SwitchyardCore
import SwitchyardStore

/// `switchyard token --admin | --tenant ID`: mints tokens for scripts and tests.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint an API token. Reads the same environment and DATA_DIR as the server."
    )

    @Flag(name: .long, help: "Mint a platform admin token.")
    var admin = false

    @Option(name: .long, help: "Mint a tenant token for this customer id (signed with the default workspace's secret, as a SaaS backend would).")
    var tenant: String?

    @Option(name: .long, help: "The customer's name, with --tenant.")
    var name: String?

    @Option(name: .long, help: "Lifetime in seconds (60 to 2592000).")
    var lifetime = 3600

    func validate() throws {
        guard admin != (tenant != nil) else { throw ValidationError("say which token: --admin or --tenant ID") }
        if let tenant, tenant.isEmpty || tenant.count > 256 { throw ValidationError("--tenant must be 1 to 256 characters") }
        guard (60...2_592_000).contains(lifetime) else { throw ValidationError("--lifetime must be 60 to 2592000 seconds") }
    }

    func run() async throws {
        if let tenant {
            let lifetime = self.lifetime
            let name = self.name
            try await CommandSupport.withStore("token") { store in
                let (workspace, _) = try await WorkspaceDirectory(records: store.records).defaultWorkspace()
                print(try await Self.tenantToken(workspace: workspace, tenant: tenant, name: name, lifetime: lifetime))
            }
            return
        }
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

    /// A tenant token as a SaaS backend mints it: HS256 with the workspace secret.
    static func tenantToken(workspace: Workspace, tenant: String, name: String?, lifetime: Int) async throws(SwitchyardError) -> String {
        struct Claims: JWTPayload {
            var iss: String
            var id: String
            var name: String?
            var exp: ExpirationClaim
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: workspace.secret), digestAlgorithm: .sha256)
        do {
            return try await keys.sign(Claims(iss: workspace.key, id: tenant, name: name, exp: .init(value: Date().addingTimeInterval(Double(lifetime)))))
        } catch {
            throw SwitchyardError(.internal, "cannot sign the token", internalDetail: "\(error)")
        }
    }
}
