import ArgumentParser
import Logging
import SwitchyardCore
import SwitchyardStore

/// `switchyard migrate`: brings the database schema up to date. Safe to run from several
/// processes at once (PostgreSQL advisory lock; SQLite's write lock).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations to DATABASE_URL (or the embedded SQLite database)."
    )

    func run() async throws {
        let configuration = try CommandSupport.loadConfiguration()
        let logger = CommandSupport.bootstrapLogging(debug: configuration.debugLogging)
        do {
            let secrets = try CommandSupport.resolveSecrets(configuration)
            try await DatabaseProbe(location: configuration.data.database).check(logger: logger)
            let store = try OpenStore.open(configuration, secrets: secrets, logger: logger)
            let applied = try await store.whileRunning { try await $0.migrator.migrate() }
            if applied.isEmpty {
                print("database \(configuration.data.database) is up to date (schema version \(Migrations.latestVersion))")
            } else {
                let names = Migrations.all.filter { applied.contains($0.version) }.map(\.name)
                print("database \(configuration.data.database): applied \(names.joined(separator: ", ")); schema version \(Migrations.latestVersion)")
            }
        } catch let error as SwitchyardError {
            CommandSupport.printError("migrate: \(error.message)")
            throw ExitCode(1)
        }
    }
}
