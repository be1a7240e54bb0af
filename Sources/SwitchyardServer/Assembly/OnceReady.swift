import Logging
import ServiceLifecycle
import SwitchyardCore

/// Start-up work that needs the database: it waits until the process's dependency checks pass,
/// then runs, retrying a failure once a second up to 30 times (the last failure is logged at
/// error level as `failure`). A graceful shutdown or cancellation ends the wait at once.
enum OnceReady {
    /// Runs `work` once the process is ready, then waits for shutdown (a service must not end
    /// before the others).
    static func run(
        monitor: HealthMonitor, logger: Logger, failure: String, _ work: @escaping @Sendable () async throws(SwitchyardError) -> Void
    ) async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled, !(await monitor.waitForReady(timeout: .seconds(3600))).isReady {}
            guard !Task.isCancelled else { return }
            for attempt in 1...30 {
                do throws(SwitchyardError) {
                    try await work()
                    return
                } catch {
                    if attempt == 30 { logger.error("\(failure)", metadata: ["error": "\(error.message)"]) }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        try? await gracefulShutdown()
    }
}
