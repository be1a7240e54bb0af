import Synchronization
import ArgumentParser
import Foundation
import Logging
import SwitchyardCore

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
