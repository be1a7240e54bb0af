import ArgumentParser
import SwitchyardJobs
import SwitchyardStore

/// `switchyard job-executor`: the child process a queued-tasks worker runs jobs in (not for
/// people to run). Job lines in on stdin, result lines out on stdout, logs on stderr.
struct JobExecutorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job-executor",
        abstract: "Run queued jobs sent on standard input (started by a queued-tasks worker).",
        shouldDisplay: false
    )

    @Option(help: "The worker's process id; this process exits when that worker is gone.")
    var parentPid: Int32

    func run() async throws {
        JobExecutorLoop.exitWithParent(parentPid)
        let configuration = try CommandSupport.loadConfiguration()
        let logger = CommandSupport.bootstrapLogging(debug: configuration.debugLogging, toStandardError: true)
        let secrets = try CommandSupport.resolveSecrets(configuration)
        let store = try OpenStore.open(configuration, secrets: secrets, logger: logger, listensForJobs: false)
        try await store.whileRunning { store in
            await JobExecutorLoop.run(registry: JobAssembly.registry(store: store, logger: logger), logger: logger)
        }
    }
}
