/// Limits on the work Switchyard does: queued tasks, flow nodes, credentials storage.
package struct WorkSettings: Sendable, Equatable {
    /// Whether per-workspace and per-tenant limits apply (`ENABLE_LIMITS`).
    package var limitsEnabled: Bool
    /// Memory limit of one queued task, in MB (`MAX_QUEUED_TASKS_MEMORY_MB`, default 1024).
    package var maxQueuedTaskMemoryMB: Int
    /// Time limit of one queued task (`MAX_QUEUED_TASKS_PROCESS_TIME_SECONDS`, default 3000).
    package var maxQueuedTaskTime: Duration
    /// Largest flow-node output, in MB (`MAX_NODE_RUN_OUTPUT_SIZE_MB`, default 20).
    package var maxNodeRunOutputMB: Int
    /// Where connection credentials are kept (`CONNECTION_CREDENTIALS_STORAGE_TYPE`).
    package var credentialsStorage: String
    /// The external credentials endpoint (`CONNECTION_CREDENTIALS_EXTERNAL_API_ENDPOINT_URL`).
    package var credentialsEndpoint: String?
    /// Attempts at one webhook notification (`WEBHOOK_MAX_ATTEMPTS`, default 8).
    package var webhookMaxAttempts: Int
    /// The wait after a webhook's first failed attempt (`WEBHOOK_RETRY_BASE_MS`, default 10 s).
    package var webhookRetryBase: Duration

    /// Most data source pulls running at once in one workspace (`MAX_RUNNING_PULLS_PER_WORKSPACE`, default 10).
    package var maxRunningPullsPerWorkspace: Int

    /// Reads the settings.
    /// - Parameter env: The environment reader; problems are recorded there.
    package init(env: inout EnvironmentReader) {
        limitsEnabled = env.bool("ENABLE_LIMITS", default: false)
        maxQueuedTaskMemoryMB = env.int("MAX_QUEUED_TASKS_MEMORY_MB", default: 1024, in: 16...1_048_576)
        maxQueuedTaskTime = .seconds(env.int("MAX_QUEUED_TASKS_PROCESS_TIME_SECONDS", default: 3000, in: 1...604_800))
        maxNodeRunOutputMB = env.int("MAX_NODE_RUN_OUTPUT_SIZE_MB", default: 20, in: 1...10_240)
        credentialsStorage = env.choice("CONNECTION_CREDENTIALS_STORAGE_TYPE", ["database", "external_api"], default: "database")
        credentialsEndpoint = env.httpURL("CONNECTION_CREDENTIALS_EXTERNAL_API_ENDPOINT_URL")
        webhookMaxAttempts = env.int("WEBHOOK_MAX_ATTEMPTS", default: 8, in: 1...100)
        maxRunningPullsPerWorkspace = env.int("MAX_RUNNING_PULLS_PER_WORKSPACE", default: 10, in: 1...10_000)
        webhookRetryBase = .milliseconds(env.int("WEBHOOK_RETRY_BASE_MS", default: 10_000, in: 10...3_600_000))
        if credentialsStorage == "external_api", credentialsEndpoint == nil, env.string("CONNECTION_CREDENTIALS_EXTERNAL_API_ENDPOINT_URL") == nil {
            env.report(
                "CONNECTION_CREDENTIALS_EXTERNAL_API_ENDPOINT_URL",
                "is required when CONNECTION_CREDENTIALS_STORAGE_TYPE is external_api"
            )
        }
    }
}
