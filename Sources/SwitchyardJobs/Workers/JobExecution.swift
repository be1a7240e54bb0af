import Logging
import SwitchyardStore

/// Where a worker runs a job's handler.
package protocol JobExecution: Sendable {
    /// Runs one attempt. Cancellation means the worker lost the job or is stopping; the
    /// execution should stop and return ``JobResult/released``.
    func execute(_ job: Job, slot: Int) async -> JobResult

    /// A time limit the worker enforces by cancelling the attempt, or `nil` when the execution
    /// enforces its own.
    var timeLimit: Duration? { get }
}

/// Runs handlers in the worker's own process (instant tasks: short, many at once). The worker
/// enforces the time limit by cancelling a handler that outlives it (handlers must be
/// cooperative: `Task.sleep`, network and database calls all are).
package struct InProcessExecution: JobExecution {
    let registry: JobRegistry
    let logger: Logger
    package let timeLimit: Duration?

    /// Creates an in-process execution.
    package init(registry: JobRegistry, timeLimit: Duration, logger: Logger) {
        self.registry = registry
        self.timeLimit = timeLimit
        self.logger = logger
    }

    package func execute(_ job: Job, slot: Int) async -> JobResult {
        await JobInvocation.run(job, registry: registry, logger: logger)
    }
}
