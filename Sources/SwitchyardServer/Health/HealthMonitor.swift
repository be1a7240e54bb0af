import Logging
import ServiceLifecycle
import Synchronization
import SwitchyardCore

/// Runs the dependency checks: at start-up with retries and backoff until each passes (the
/// process is ready only then), and periodically afterwards so `GET /` reports a dependency
/// that goes away.
///
/// A start-up check that exhausts `HEALTH_CHECK_RETRIES` ends the process with a
/// ``HealthCheckFailure``; a failure after start-up only turns `GET /` to 503.
package final class HealthMonitor: Service, Sendable {
    private struct State {
        var ready = false
        var checks: [String: HealthReport.Check] = [:]
        var permanent: [String: String] = [:]
    }

    private let checks: [HealthCheck]
    private let settings: HealthCheckSettings
    private let roles: [String]
    private let logger: Logger
    private let state: Mutex<State>

    /// Creates a monitor.
    /// - Parameters:
    ///   - checks: The checks the running roles need; skipped ones are reported as `skipped`.
    ///   - settings: Retry and skip settings.
    ///   - roles: Role names for the report.
    ///   - logger: Where check results are logged.
    package init(checks: [HealthCheck], settings: HealthCheckSettings, roles: [String], logger: Logger) {
        self.checks = checks.filter { !settings.isSkipped($0.name) }
        self.settings = settings
        self.roles = roles
        self.logger = logger
        var initial = State()
        for check in checks {
            let skipped = settings.isSkipped(check.name)
            initial.checks[check.name] = .init(status: skipped ? "skipped" : "pending", attempts: 0, error: nil)
        }
        initial.ready = self.checks.isEmpty
        self.state = Mutex(initial)
    }

    /// The current report.
    package var report: HealthReport {
        state.withLock { state in
            let failing = state.checks.values.contains { $0.status == "failing" || $0.status == "pending" }
            let status = !state.ready ? "starting" : failing ? "unavailable" : "ok"
            return HealthReport(status: status, roles: roles, version: SwitchyardVersion.current, checks: state.checks)
        }
    }

    /// Waits until the process is ready or the timeout passes.
    /// - Parameter timeout: The longest wait.
    /// - Returns: The report at the end of the wait.
    package func waitForReady(timeout: Duration) async -> HealthReport {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !report.isReady {
            try? await Task.sleep(for: .milliseconds(20))
            if Task.isCancelled { break }
        }
        return report
    }

    package func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for check in self.checks {
                        group.addTask { try await self.runUntilHealthy(check) }
                    }
                    try await group.waitForAll()
                }
            }
        } catch let failure as HealthCheckFailure {
            throw failure
        } catch {
            return  // shutting down while still starting: not a failure
        }
        guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        state.withLock { $0.ready = true }
        logger.info("ready", metadata: ["roles": "\(roles.joined(separator: ","))"])
        guard !checks.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.interval) }
            } catch {
                return
            }
            for check in checks { await probeOnce(check) }
        }
    }

    private func runUntilHealthy(_ check: HealthCheck) async throws {
        let backoff = RetryBackoff(initial: settings.retryDelay, maximum: settings.maxRetryDelay)
        var generator = SystemRandomNumberGenerator()
        var retry = 0
        while true {
            if await probeOnce(check) { return }
            retry += 1
            if let permanent = state.withLock({ $0.permanent[check.name] }) {
                throw HealthCheckFailure(check: check.name, attempts: retry, reason: permanent, permanent: true)
            }
            guard retry <= settings.retries else {
                let last = report.checks[check.name]
                throw HealthCheckFailure(check: check.name, attempts: last?.attempts ?? retry, reason: last?.error ?? "unknown")
            }
            let delay = backoff.delay(forRetry: retry, using: &generator)
            logger.warning(
                "dependency not ready; retrying",
                metadata: ["check": "\(check.name)", "retry": "\(retry)/\(settings.retries)", "delay.ms": "\(delay.nanosecondsClamped / 1_000_000)"]
            )
            try await Task.sleep(for: delay)
        }
    }

    /// Runs one probe and records the result.
    /// - Returns: Whether it succeeded.
    @discardableResult
    private func probeOnce(_ check: HealthCheck) async -> Bool {
        var failure: String?
        do {
            try await check.probe(logger)
        } catch let error as PermanentCheckFailure {
            failure = error.message
            state.withLock { $0.permanent[check.name] = error.message }
        } catch let error as SwitchyardError {
            failure = error.message
        } catch {
            failure = String(describing: error)
        }
        let previous = state.withLock { state -> String? in
            var entry = state.checks[check.name] ?? .init(status: "pending", attempts: 0, error: nil)
            let before = entry.status
            entry.attempts += 1
            entry.error = failure
            entry.status = failure == nil ? "ok" : (state.ready ? "failing" : "pending")
            state.checks[check.name] = entry
            return before
        }
        if let failure {
            logger.warning("dependency check failed", metadata: ["check": "\(check.name)", "error": "\(failure)"])
        } else if previous != "ok" {
            logger.info("dependency check passed", metadata: ["check": "\(check.name)"])
        }
        return failure == nil
    }
}
