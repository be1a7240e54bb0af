import ArgumentParser
import Logging
import SwitchyardBlobs
import SwitchyardCodeRunner
import SwitchyardEngine
import SwitchyardJobs
import SwitchyardStore

/// `switchyard job-executor`: the child process a queued-tasks worker runs jobs in (not for
/// people to run). Job lines in on stdin, result lines out on stdout, logs on stderr.
///
/// It builds the same connection services as the API (one per process, not per job), so flow
/// runs act through connections; custom code goes to `CUSTOM_CODE_RUNNER_URI`, or to this
/// process's parent server when it runs the code runner role itself.
struct JobExecutorCommand: AsyncParsableCommand {
    /// The most database connections one executor opens.
    static let poolSize = 4

    static let configuration = CommandConfiguration(
        commandName: "job-executor",
        abstract: "Run queued jobs sent on standard input (started by a queued-tasks worker).",
        shouldDisplay: false
    )

    @Option(help: "The worker's process id; this process exits when that worker is gone.")
    var parentPid: Int32

    func run() async throws {
        JobExecutorLoop.exitWithParent(parentPid)
        var loaded = try CommandSupport.loadConfiguration()
        // An executor runs one job at a time; a worker may have many executors (one per slot), so
        // each keeps a small pool instead of DATABASE_MAX_POOL_SIZE connections.
        loaded.data.maxPoolSize = min(loaded.data.maxPoolSize, Self.poolSize)
        loaded.data.minPoolSize = min(loaded.data.minPoolSize, Self.poolSize)
        let configuration = loaded
        let logger = CommandSupport.bootstrapLogging(debug: configuration.debugLogging, toStandardError: true)
        let secrets = try CommandSupport.resolveSecrets(configuration)
        let store = try OpenStore.open(configuration, secrets: secrets, logger: logger, listensForJobs: false)
        let blobs = try SwitchyardAssembly.blobStore(configuration.data)
        let token = InternalToken(secret: secrets.secret)
        var codeURI = configuration.urls.customCodeRunnerURI
        if codeURI == nil, configuration.roles.roles.contains(.codeRunner) {
            let host = ["0.0.0.0", "::", ""].contains(configuration.http.host) ? "127.0.0.1" : configuration.http.host
            codeURI = "http://\(host):\(configuration.http.port)"
        }
        let code: (any CodeExecutor)? = codeURI.map { RemoteCodeRunner(baseURL: $0, token: token) }
        try await store.whileRunning { store in
            let (connections, http) = APIAssembly.connections(
                configuration: configuration, store: store, blobs: blobs, secrets: secrets, code: code, logger: logger)
            let registry = JobAssembly.registry(
                store: store, connections: connections, maxNodeOutputBytes: configuration.work.maxNodeRunOutputMB << 20,
                pulls: DataPuller.Settings(runningPerWorkspace: configuration.work.maxRunningPullsPerWorkspace), logger: logger
            )
            // The external API log is written in the background; what is left at the end is flushed.
            await withDiscardingTaskGroup { group in
                group.addTask { await http.sink.run() }
                await JobExecutorLoop.run(registry: registry, logger: logger)
                group.cancelAll()
            }
            await http.shutdown()
        }
    }
}
