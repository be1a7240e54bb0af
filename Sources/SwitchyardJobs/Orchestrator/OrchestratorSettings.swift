import SwitchyardStore

/// How the orchestrator leads and what it keeps.
package struct OrchestratorSettings: Sendable {
    /// How often it acts.
    package var interval: Duration
    /// How long leadership lasts without renewal; a dead leader is replaced after at most this.
    package var leadership: Duration
    /// Finished jobs are deleted this long after they finished, per state.
    package var jobRetention: [JobState: Duration]
    /// Log records (run logs, API logs, events) are deleted this long after they were written.
    package var logRetention: Duration
    /// How often retention runs.
    package var cleanupInterval: Duration
    /// Schedules built into this version, saved when a leader starts.
    package var builtInSchedules: [JobSchedule]

    /// Creates settings.
    package init(
        interval: Duration = .milliseconds(500), leadership: Duration = .seconds(5),
        jobRetention: [JobState: Duration] = [.completed: .seconds(86_400), .cancelled: .seconds(7 * 86_400), .discarded: .seconds(30 * 86_400)],
        logRetention: Duration = .seconds(30 * 86_400), cleanupInterval: Duration = .seconds(60), builtInSchedules: [JobSchedule] = []
    ) {
        self.interval = interval
        self.leadership = leadership
        self.jobRetention = jobRetention
        self.logRetention = logRetention
        self.cleanupInterval = cleanupInterval
        self.builtInSchedules = builtInSchedules
    }
}
