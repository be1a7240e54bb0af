import ArgumentParser
import Foundation
import Logging
import SwitchyardCore
import SwitchyardStore
import Synchronization

/// What every command does first: read the environment, report every problem, set up logging.
enum CommandSupport {
    /// The exit status for an invalid configuration (`EX_CONFIG`).
    static let configurationExitCode: Int32 = 78

    /// Loads the configuration, or prints every problem to standard error and exits 78.
    static func loadConfiguration(roleOverride: RoleSelection? = nil) throws -> SwitchyardConfiguration {
        do {
            return try SwitchyardConfiguration.load(environment: ProcessInfo.processInfo.environment, roleOverride: roleOverride)
        } catch {
            printError(error.description)
            throw ExitCode(configurationExitCode)
        }
    }

    /// Creates `DATA_DIR` and resolves the secrets (generating missing ones outside production).
    static func resolveSecrets(_ configuration: SwitchyardConfiguration) throws(SwitchyardError) -> ResolvedSecrets {
        try DataDirectory.create(configuration.data.dataDirectory)
        return try SecretFileStore(directory: configuration.data.dataDirectory).resolve(configuration.secrets)
    }

    /// Opens the configured store for an admin command, its schema ready (see ``prepareSchema(_:of:logger:)``);
    /// errors print as `command: message` and exit 1.
    static func withStore(_ command: String, _ body: @Sendable (OpenStore) async throws -> Void) async throws {
        try await withStore(command) { store, _ in try await body(store) }
    }

    /// Opens the configured store for an admin command, its schema ready, with the configuration.
    static func withStore(_ command: String, _ body: @Sendable (OpenStore, SwitchyardConfiguration) async throws -> Void) async throws {
        let configuration = try loadConfiguration()
        let logger = bootstrapLogging(debug: configuration.debugLogging, toStandardError: true)
        do {
            let secrets = try resolveSecrets(configuration)
            let store = try OpenStore.open(configuration, secrets: secrets, logger: logger)
            try await store.whileRunning { store in
                try await prepareSchema(store, of: configuration, logger: logger)
                try await body(store, configuration)
            }
        } catch let error as SwitchyardError {
            printError("\(command): \(error.message)")
            throw ExitCode(1)
        }
    }

    /// Brings the schema in line before a command uses the store. The embedded SQLite database
    /// is migrated, as all-in-one `serve` does (nobody else would; a first run needs no
    /// `switchyard migrate`). PostgreSQL is shared by many processes: it must have been migrated
    /// with `switchyard migrate`, and a command refuses to run against another schema version.
    /// - Throws: `unavailable` naming the versions and what to do.
    static func prepareSchema(_ store: OpenStore, of configuration: SwitchyardConfiguration, logger: Logger) async throws(SwitchyardError) {
        if case .sqlite = configuration.data.database {
            let applied = try await store.migrator.migrate()
            if !applied.isEmpty { logger.info("database migrated", metadata: ["versions": "\(applied)"]) }
        }
        try await store.migrator.check()
    }

    /// Writes a line to standard error.
    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Sets up plain-text logging to standard output, once per process.
    static func bootstrapLogging(debug: Bool, toStandardError: Bool = false) -> Logger {
        LoggingBootstrap.once(debug: debug, toStandardError: toStandardError)
        var logger = Logger(label: "switchyard")
        logger.logLevel = debug ? .debug : .info
        return logger
    }
}

/// Bootstraps swift-log exactly once, however many commands run in the process.
enum LoggingBootstrap {
    private static let done = Mutex(false)

    static func once(debug: Bool, toStandardError: Bool = false) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler = toStandardError ? StreamLogHandler.standardError(label: label) : StreamLogHandler.standardOutput(label: label)
            handler.logLevel = debug ? .debug : .info
            return handler
        }
    }
}
