import SwitchyardCore
import ArgumentParser
import Logging
import SwitchyardStore

/// `switchyard migrate`: brings the database schema up to date.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations to DATABASE_URL (or the embedded SQLite database)."
    )

    func run() async throws {
        let configuration = try CommandSupport.loadConfiguration()
        let logger = CommandSupport.bootstrapLogging(debug: configuration.debugLogging)
        do {
            try DataDirectory.create(configuration.data.dataDirectory)
            try await DatabaseProbe(location: configuration.data.database).check(logger: logger)
        } catch {
            CommandSupport.printError("migrate: \(error.message)")
            throw ExitCode(1)
        }
        print("database \(configuration.data.database) is reachable; schema is up to date")
    }
}
