import ArgumentParser
import Foundation

/// The `switchyard` command line: one binary, every role, and the admin tools around them.
package struct SwitchyardCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "Switchyard: a self-hostable embedded integration platform.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, RotateEncryptionKeyCommand.self, ConfigCommand.self, TokenCommand.self, VersionCommand.self,
            WorkspaceCommand.self, JobsCommand.self, SchedulesCommand.self, JobExecutorCommand.self,
            ConsoleCommand.self,
        ],
        defaultSubcommand: nil
    )

    package init() {}
}

extension SwitchyardCommand {
    /// Parses the process arguments and runs the chosen command; the executable's only call.
    package static func start() async {
        MemoryTuning.apply(environment: ProcessInfo.processInfo.environment)
        await main()
    }
}
