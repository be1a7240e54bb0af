import Foundation
import Logging
import Prometheus
import SwitchyardCore
import Testing

@testable import SwitchyardCodeRunner

@Suite(.enabled(if: SandboxEnvironment.available, "needs node and bubblewrap"))
struct JobSpaceMetricsTests {
    private func value(_ name: String, in exposition: String) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
    }

    @Test func jobSpaceGaugesFollowConcurrentLoad() async throws {
        var settings = SharedRunner.settings
        settings.jobSpaces = 3
        settings.warmPoolSize = 3
        let registry = PrometheusCollectorRegistry()
        let runner = try await CodeRunner.start(settings: settings, registry: registry, logger: Logger(label: "metrics"))
        let maintenance = Task { await runner.maintain() }
        defer { maintenance.cancel() }
        #expect(value("custom_code_runner_total_job_spaces", in: registry.emitToString()) == 3)
        #expect(value("custom_code_runner_remaining_job_spaces", in: registry.emitToString()) == 3)

        // Five jobs that each hold a job space until released: three run, two wait.
        let bridge = HoldingBridge()
        defer { bridge.release() }
        let results = try await withThrowingTaskGroup(of: CodeRunResult.self) { group in
            for index in 0..<5 {
                let job = CodeJob(workspaceID: "w", tenantID: "t\(index)", code: HoldingBridge.heldCode, timeoutMilliseconds: 20_000)
                group.addTask { await runner.run(job, bridge: bridge) }
            }
            try await bridge.waitForArrivals(3)
            let during = registry.emitToString()
            #expect(bridge.arrived == 3, "the other two wait for a space")
            #expect(value("custom_code_runner_remaining_job_spaces", in: during) == 0, "three running, two waiting")
            #expect(value("custom_code_runner_total_job_spaces", in: during) == 3)
            bridge.release()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.value == "ok" })
        let after = registry.emitToString()
        #expect(value("custom_code_runner_remaining_job_spaces", in: after) == 3)
        #expect(after.contains(#"custom_code_runner_jobs_total{outcome="ok"} 5"#))
        #expect(after.contains("# HELP custom_code_runner_remaining_job_spaces"))
    }

    @Test func warmPoolRefillsAfterUse() async throws {
        var settings = SharedRunner.settings
        settings.jobSpaces = 2
        settings.warmPoolSize = 2
        let runner = try await CodeRunner.start(settings: settings, registry: PrometheusCollectorRegistry(), logger: Logger(label: "pool"))
        let maintenance = Task { await runner.maintain() }
        defer { maintenance.cancel() }
        try await waitUntil { await runner.pool.warmCount == 2 }
        let result = await runner.run(CodeJob(workspaceID: "w", tenantID: "fresh", code: "module.exports = () => 1"), bridge: NoAPIBridge())
        #expect(result.value == 1)
        #expect(await runner.pool.tenantProcessCounts["w/fresh"] == 1)
        try await waitUntil { await runner.pool.warmCount == 2 }
    }

    private func waitUntil(_ condition: () async -> Bool) async throws {
        // Generous: the whole suite runs at once, and a loaded machine starts processes slowly.
        let deadline = ContinuousClock.now + .seconds(60)
        while !(await condition()) {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 60 s")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
