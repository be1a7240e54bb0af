import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore

/// `switchyard serve`: runs the roles chosen by `--role` or the `IS_*` variables (none: all).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run Switchyard. Roles come from --role, else from IS_API, IS_INSTANT_TASKS_WORKER, …; none means all-in-one."
    )

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Role(s) to run: api, instant-worker, queued-worker, orchestrator, code-runner, ui, console, all. "
                + "Repeat or comma-separate. Wins over IS_* variables.")
    )
    var role: [String] = []

    func run() async throws {
        var override: RoleSelection?
        if !role.isEmpty {
            do {
                override = try RoleSelection.parse(flags: role)
            } catch {
                CommandSupport.printError(error.description)
                throw ExitCode(CommandSupport.configurationExitCode)
            }
        }
        let configuration = try CommandSupport.loadConfiguration(roleOverride: override)
        let logger = CommandSupport.bootstrapLogging(debug: configuration.debugLogging)
        let secrets: ResolvedSecrets
        do {
            try DataDirectory.create(configuration.data.dataDirectory)
            secrets = try SecretFileStore(directory: configuration.data.dataDirectory).resolve(configuration.secrets)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error.message)"])
            throw ExitCode(1)
        }
        for name in secrets.fromDataDirectory {
            logger.warning(
                "\(name) is not set; using a generated value stored in DATA_DIR. Set \(name) before going to production.",
                metadata: ["file": "\(SecretFileStore(directory: configuration.data.dataDirectory).path(for: name))"]
            )
        }
        for name in configuration.health.ignored {
            logger.notice("SKIP_HEALTH_CHECKS names '\(name)': Switchyard does not use it, nothing to skip")
        }
        logger.info(
            "starting Switchyard \(SwitchyardVersion.current)",
            metadata: ["roles": "\(configuration.roles)", "database": "\(configuration.data.database)"]
        )
        do {
            let app = try await SwitchyardAssembly.buildApplication(
                configuration: configuration,
                secrets: secrets,
                logger: logger,
                onServerRunning: { address in
                    let host = address?.ipAddress ?? configuration.http.host
                    let port = address?.port ?? configuration.http.port
                    logger.info("Switchyard listening on http://\(host):\(port)")
                    if configuration.roles.roles.contains(.console) {
                        logger.info("Console at http://\(host):\(port)\(configuration.console.basePath)/")
                    }
                    if configuration.roles.roles.contains(.ui) {
                        logger.info("End-user UI at http://\(host):\(port)\(configuration.ui.basePath)/, SDK at http://\(host):\(port)/sdk.js")
                    }
                    if configuration.roles.roles.contains(.api) {
                        logger.info("Get an admin token with: switchyard token --admin  (same DATA_DIR and environment)")
                    }
                }
            )
            try await app.runService()
        } catch let failure as StartupFailure {
            logger.critical("cannot start: \(failure)")
            throw ExitCode(1)
        } catch let failure as HealthCheckFailure {
            logger.critical("stopping: \(failure)")
            throw ExitCode(1)
        } catch let error as IOError where [EADDRINUSE, EADDRNOTAVAIL, EACCES].contains(error.errnoCode) {
            // The server could not bind its address (taken by another process, not local, or a
            // privileged port).
            logger.critical("cannot start: cannot listen on \(configuration.http.host):\(configuration.http.port): \(error.description)")
            throw ExitCode(1)
        }
        logger.info("stopped")
    }
}
