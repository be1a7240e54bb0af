import Logging
import SwitchyardStore

/// Where a worker runs a job's handler.
package protocol JobExecution: Sendable {
    /// Runs one attempt. Cancellation means the worker lost the job or is stopping; the
    /// execution should stop and return ``JobResult/released``.
    func execute(_ job: Job, slot: Int) async -> JobResult
}

/// Runs handlers in the worker's own process (instant tasks: short, many at once), with a
/// time limit enforced by cancellation.
package struct InProcessExecution: JobExecution {
    let registry: JobRegistry
    let timeLimit: Duration
    let logger: Logger

    /// Creates an in-process execution.
    package init(registry: JobRegistry, timeLimit: Duration, logger: Logger) {
        self.registry = registry
        self.timeLimit = timeLimit
        self.logger = logger
    }

    package func execute(_ job: Job, slot: Int) async -> JobResult {
        let registry = registry
        let logger = logger
        let limit = timeLimit
        return await withTaskGroup(of: JobResult?.self) { group in
            group.addTask { await JobInvocation.run(job, registry: registry, logger: logger) }
            group.addTask {
                do {
                    try await Task.sleep(for: limit)
                    return .failed("timeout: the job ran longer than its \(limit) limit and was stopped", discard: true)
                } catch {
                    return nil
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .released
        }
    }
}
