import ArgumentParser
import Logging
import SwitchyardCore
import SwitchyardStore

/// `switchyard rotate-encryption-key`: re-encrypts every stored secret under the current
/// `ENCRYPTION_SECRET`, in batches, while the system keeps serving (readers accept both keys as
/// long as the old one is in `ENCRYPTION_SECRET_PREVIOUS`).
struct RotateEncryptionKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-encryption-key",
        abstract: "Re-encrypt every stored secret under ENCRYPTION_SECRET. Set the old secret in ENCRYPTION_SECRET_PREVIOUS first."
    )

    @Option(name: .long, help: "Secrets re-encrypted per transaction (1 to 10000).")
    var batchSize = 500

    func validate() throws {
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 10000") }
    }

    func run() async throws {
        let configuration = try CommandSupport.loadConfiguration()
        let logger = CommandSupport.bootstrapLogging(debug: configuration.debugLogging)
        let batchSize = self.batchSize
        do {
            let secrets = try CommandSupport.resolveSecrets(configuration)
            let store = try OpenStore.open(configuration, secrets: secrets, logger: logger)
            let counts = try await store.whileRunning { store in
                try await CommandSupport.prepareSchema(store, of: configuration, logger: logger)
                var counts: [(RecordKind, Int)] = []
                for kind in RecordKind.allCases {
                    var total = 0
                    while true {
                        let done = try await store.records.reencryptSecrets(kind, batchSize: batchSize)
                        if done == 0 { break }
                        total += done
                    }
                    if total > 0 { counts.append((kind, total)) }
                }
                return counts
            }
            for (kind, total) in counts { print("\(kind.rawValue): re-encrypted \(total)") }
            let keyID = KeyRing(secret: secrets.encryptionSecret).currentKeyID
            print("every secret is sealed with key \(keyID); ENCRYPTION_SECRET_PREVIOUS can now be removed")
        } catch let error as SwitchyardError {
            CommandSupport.printError("rotate-encryption-key: \(error.message)")
            throw ExitCode(1)
        }
    }
}
