import SwitchyardStore

/// The job queue, the workers and the orchestrator (`JOBS_*`, `INSTANT_TASKS_*`,
/// `QUEUED_TASKS_*`, `ORCHESTRATOR_*`, retention).
package struct JobSettings: Sendable, Equatable {
    /// Jobs one instant-tasks worker runs at once (`INSTANT_TASKS_WORKER_CONCURRENCY`).
    package var instantConcurrency: Int
    /// Instant-tasks workers in an all-in-one process (`ALL_IN_ONE_INSTANT_TASKS_WORKERS`).
    package var allInOneInstantWorkers: Int
    /// Queued-tasks workers in an all-in-one process (`ALL_IN_ONE_QUEUED_TASKS_WORKERS`).
    package var allInOneQueuedWorkers: Int
    /// Jobs one queued-tasks worker runs at once, each in its own executor process
    /// (`QUEUED_TASKS_WORKER_CONCURRENCY`).
    package var queuedConcurrency: Int
    /// Time limit of one instant task (`MAX_INSTANT_TASKS_PROCESS_TIME_SECONDS`).
    package var instantTimeLimit: Duration
    /// How long a fetched job is held without a heartbeat (`JOBS_LEASE_SECONDS`).
    package var lease: Duration
    /// How often idle workers look for work without a wake-up (`JOBS_POLL_INTERVAL_MS`).
    package var pollInterval: Duration
    /// Default running cap per connection under limits (`QUEUED_TASKS_MAX_RUNNING_PER_CONNECTION`).
    package var runningPerConnection: Int
    /// Default running cap per tenant under limits, 0 for none (`QUEUED_TASKS_MAX_RUNNING_PER_TENANT`).
    package var runningPerTenant: Int
    /// Default waiting jobs per connection under limits (`QUEUED_TASKS_MAX_QUEUE_PER_CONNECTION`).
    package var queuePerConnection: Int
    /// How often the orchestrator acts (`ORCHESTRATOR_INTERVAL_MS`).
    package var orchestratorInterval: Duration
    /// How long leadership lasts unrenewed (`ORCHESTRATOR_LEADERSHIP_SECONDS`).
    package var orchestratorLeadership: Duration
    /// Completed jobs are kept this long (`JOBS_COMPLETED_RETENTION_HOURS`).
    package var completedRetention: Duration
    /// Discarded and cancelled jobs are kept this long (`JOBS_FAILED_RETENTION_DAYS`).
    package var failedRetention: Duration
    /// Run logs, API logs and events are kept this long (`LOGS_RETENTION_DAYS`).
    package var logRetention: Duration

    /// Reads the settings.
    package init(env: inout EnvironmentReader) {
        instantConcurrency = env.int("INSTANT_TASKS_WORKER_CONCURRENCY", default: 16, in: 1...1024)
        allInOneInstantWorkers = env.int("ALL_IN_ONE_INSTANT_TASKS_WORKERS", default: 1, in: 0...64)
        allInOneQueuedWorkers = env.int("ALL_IN_ONE_QUEUED_TASKS_WORKERS", default: 2, in: 0...64)
        queuedConcurrency = env.int("QUEUED_TASKS_WORKER_CONCURRENCY", default: 4, in: 1...64)
        instantTimeLimit = .seconds(env.int("MAX_INSTANT_TASKS_PROCESS_TIME_SECONDS", default: 60, in: 1...3600))
        lease = .seconds(env.int("JOBS_LEASE_SECONDS", default: 30, in: 1...3600))
        pollInterval = .milliseconds(env.int("JOBS_POLL_INTERVAL_MS", default: 1000, in: 10...60_000))
        runningPerConnection = env.int("QUEUED_TASKS_MAX_RUNNING_PER_CONNECTION", default: 1, in: 1...10_000)
        runningPerTenant = env.int("QUEUED_TASKS_MAX_RUNNING_PER_TENANT", default: 0, in: 0...10_000)
        queuePerConnection = env.int("QUEUED_TASKS_MAX_QUEUE_PER_CONNECTION", default: 10_000, in: 1...10_000_000)
        orchestratorInterval = .milliseconds(env.int("ORCHESTRATOR_INTERVAL_MS", default: 500, in: 50...60_000))
        orchestratorLeadership = .seconds(env.int("ORCHESTRATOR_LEADERSHIP_SECONDS", default: 5, in: 1...600))
        completedRetention = .seconds(3600 * env.int("JOBS_COMPLETED_RETENTION_HOURS", default: 24, in: 0...87_600))
        failedRetention = .seconds(86_400 * env.int("JOBS_FAILED_RETENTION_DAYS", default: 30, in: 0...3650))
        logRetention = .seconds(86_400 * env.int("LOGS_RETENTION_DAYS", default: 30, in: 1...3650))
    }

    /// The limits in force when `ENABLE_LIMITS` is on.
    package var limits: JobLimitSettings {
        JobLimitSettings(
            defaults: JobLimits(
                runningPerConnection: runningPerConnection, runningPerTenant: runningPerTenant == 0 ? nil : runningPerTenant, queuePerConnection: queuePerConnection
            )
        )
    }
}
