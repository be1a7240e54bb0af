import Logging
import Synchronization
import Testing

@testable import SwitchyardServer
import SwitchyardCore

/// A dependency that fails a set number of times, then answers.
final class LateDependency: Sendable {
    private let failuresLeft: Mutex<Int>
    private let calls = Mutex(0)

    init(failures: Int) { failuresLeft = Mutex(failures) }

    var callCount: Int { calls.withLock { $0 } }

    func setFailures(_ count: Int) { failuresLeft.withLock { $0 = count } }

    var check: HealthCheck {
        HealthCheck(name: "database") { _ in
            self.calls.withLock { $0 += 1 }
            let fail = self.failuresLeft.withLock { left -> Bool in
                guard left > 0 else { return false }
                left -= 1
                return true
            }
            if fail { throw SwitchyardError(.unavailable, "connection refused") }
        }
    }
}

@Suite struct HealthMonitorTests {
    private func settings(_ environment: [String: String]) throws -> HealthCheckSettings {
        try SwitchyardConfiguration.load(environment: environment).health
    }

    /// Waits until the condition holds (at once when the machine is idle; a loaded one running the
    /// whole suite in parallel can take many seconds).
    private func waitFor(_ monitor: HealthMonitor, timeout: Duration = .seconds(60), _ condition: (HealthReport) -> Bool) async -> HealthReport {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(monitor.report) { break }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return monitor.report
    }

    @Test func lateDependencyIsRetriedWithBackoffUntilReady() async throws {
        let dependency = LateDependency(failures: 3)
        let health = try settings([
            "HEALTH_CHECK_RETRIES": "10", "HEALTH_CHECK_RETRY_DELAY_MS": "40", "HEALTH_CHECK_MAX_RETRY_DELAY_MS": "1000",
        ])
        let monitor = HealthMonitor(checks: [dependency.check], settings: health, roles: ["api"], logger: Logger(label: "test"))
        let start = ContinuousClock.now
        let task = Task { try await monitor.run() }
        defer { task.cancel() }
        let starting = await waitFor(monitor) { $0.checks["database"]?.attempts ?? 0 >= 1 }
        #expect(starting.status == "starting")
        #expect(starting.checks["database"]?.status == "pending")
        #expect(starting.checks["database"]?.error == "connection refused")
        let ready = await waitFor(monitor) { $0.isReady }
        let elapsed = ContinuousClock.now - start
        #expect(ready.status == "ok")
        #expect(ready.checks["database"] == HealthReport.Check(status: "ok", attempts: 4, error: nil))
        // Retries 1-3 wait at least half of 40, 80 and 160 ms.
        #expect(elapsed >= .milliseconds(140))
        // The full suite starts dozens of servers at once on two cores; timers then fire late.
        #expect(elapsed < .seconds(90), "bounded by the configured delays, with room for a loaded machine")
    }

    @Test func exhaustedRetriesFailNamingTheCheck() async throws {
        let dependency = LateDependency(failures: 100)
        let health = try settings(["HEALTH_CHECK_RETRIES": "2", "HEALTH_CHECK_RETRY_DELAY_MS": "10"])
        let monitor = HealthMonitor(checks: [dependency.check], settings: health, roles: ["api"], logger: Logger(label: "test"))
        await #expect {
            try await monitor.run()
        } throws: { error in
            guard let failure = error as? HealthCheckFailure else { return false }
            return failure.check == "database" && failure.attempts == 3 && failure.description.contains("SKIP_HEALTH_CHECKS=database")
        }
        #expect(dependency.callCount == 3)
        #expect(!monitor.report.isReady)
    }

    @Test(arguments: ["database", "all", "mongo,database"])
    func skippedCheckIsNeverProbedAndTheProcessIsReadyAtOnce(skip: String) async throws {
        let dependency = LateDependency(failures: 100)
        let health = try settings(["SKIP_HEALTH_CHECKS": skip])
        let monitor = HealthMonitor(checks: [dependency.check], settings: health, roles: ["api"], logger: Logger(label: "test"))
        #expect(monitor.report.isReady)
        #expect(monitor.report.checks["database"]?.status == "skipped")
        #expect(dependency.callCount == 0)
    }

    @Test func dependencyLostAfterStartTurnsHealthUnavailableThenRecovers() async throws {
        let dependency = LateDependency(failures: 0)
        let health = try settings(["HEALTH_CHECK_INTERVAL_MS": "100"])
        let monitor = HealthMonitor(checks: [dependency.check], settings: health, roles: ["api"], logger: Logger(label: "test"))
        let task = Task { try await monitor.run() }
        defer { task.cancel() }
        #expect(await waitFor(monitor) { $0.isReady }.isReady)
        dependency.setFailures(1000)
        let lost = await waitFor(monitor) { $0.status == "unavailable" }
        #expect(lost.status == "unavailable")
        #expect(lost.checks["database"]?.status == "failing")
        dependency.setFailures(0)
        #expect(await waitFor(monitor) { $0.isReady }.status == "ok")
    }
}
