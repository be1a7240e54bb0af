import SwitchyardStore

/// How one worker fetches and holds jobs.
package struct JobWorkerSettings: Sendable {
    /// The queue it serves.
    package var queue: JobQueueName
    /// Jobs it runs at once.
    package var concurrency: Int
    /// How long a fetched job is held without a heartbeat (renewed every third of it).
    package var lease: Duration
    /// How often an idle worker looks for work when no wake-up arrives.
    package var pollInterval: Duration
    /// Limits in force (`ENABLE_LIMITS`), or `nil`.
    package var limits: JobLimitSettings?
    /// How long a stopping worker lets running jobs finish before giving them back.
    package var shutdownGrace: Duration

    /// Creates settings.
    package init(queue: JobQueueName, concurrency: Int, lease: Duration, pollInterval: Duration, limits: JobLimitSettings?, shutdownGrace: Duration = .seconds(20)) {
        self.queue = queue
        self.concurrency = concurrency
        self.lease = lease
        self.pollInterval = pollInterval
        self.limits = limits
        self.shutdownGrace = shutdownGrace
    }
}
