import ArgumentParser
import Foundation

/// `switchyard config check`: validates the environment and prints every setting.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Inspect the configuration.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate the environment; print every setting with secrets masked. Exits 78 on any problem."
        )

        func run() throws {
            let configuration = try CommandSupport.loadConfiguration()
            print(ConfigurationReport(configuration: configuration).render())
        }
    }
}
