import Foundation
import Logging
import Prometheus
import SwitchyardCodeRunner
import SwitchyardCore

/// Latency and throughput of the custom code runner with the real sandbox (bubblewrap + Node).
enum CodeRunnerBenchmark {
    static let trivial = "module.exports = ({ input }) => input.n + 1"
    /// Length of each throughput run (CODERUNNER_BENCH_SECONDS, default 5).
    static let seconds = ProcessInfo.processInfo.environment["CODERUNNER_BENCH_SECONDS"].flatMap { Int($0) } ?? 5

    static func run() async throws {
        let spaces = 4
        let warm = try await start(spaces: spaces, warmPool: spaces)

        // Warm: a process already assigned to the tenant.
        _ = await warm.run(job(tenant: "warm", n: 0), bridge: NoAPIBridge())
        var warmLatency: [Double] = []
        for n in 0..<300 { warmLatency.append(try await timed { await warm.run(job(tenant: "warm", n: n), bridge: NoAPIBridge()) }) }
        report("warm (tenant's own process)", warmLatency, target: "p50 ≤ 5 ms")

        // Cold from the pool: each job a new tenant, taking a started, unassigned process.
        var poolLatency: [Double] = []
        for n in 0..<60 {
            await waitForPool(warm, size: spaces)
            poolLatency.append(try await timed { await warm.run(job(tenant: "pool-\(n)", n: n), bridge: NoAPIBridge()) })
        }
        report("cold (from the warm pool)", poolLatency, target: "p50 ≤ 60 ms")

        // Throughput: one busy tenant on every job space.
        let busy = try await throughput(runner: warm, workers: spaces, seconds: seconds) { worker, n in job(tenant: "busy", n: n) }
        row("code-runner", "one busy tenant, \(spaces) job spaces", "runs/s", format(busy, 0), "\(seconds) s run", "≥ 200")

        // Throughput: every job a different tenant (each needs a new sandbox process).
        let distinct = try await throughput(runner: warm, workers: spaces, seconds: seconds) { worker, n in job(tenant: "t-\(worker)-\(n)", n: n) }
        row("code-runner", "every job a new tenant, \(spaces) job spaces", "runs/s", format(distinct, 0), "\(seconds) s run", "≥ 40")

        // Memory: every job space holding a tenant's idle process, plus the warm pool.
        for index in 0..<spaces { _ = await warm.run(job(tenant: "mem-\(index)", n: index), bridge: NoAPIBridge()) }
        await waitForPool(warm, size: spaces)
        let memory = SandboxMemory.measure(parent: getpid())
        row(
            "code-runner", "sandbox process trees: \(memory.trees)", "RSS per job space (MB)", format(memory.rssPerTree),
            "PSS \(format(memory.pssPerTree)) MB", "≤ 64 MB")

        // Cold without a pool: every job starts its own sandbox.
        let cold = try await start(spaces: spaces, warmPool: 0)
        var coldLatency: [Double] = []
        for n in 0..<40 { coldLatency.append(try await timed { await cold.run(job(tenant: "nopool-\(n)", n: n), bridge: NoAPIBridge()) }) }
        report("cold (no pool: start a sandbox)", coldLatency, target: "(reference)")
        exit(0)
    }

    static func start(spaces: Int, warmPool: Int) async throws -> CodeRunner {
        let settings = CodeRunnerSettings(jobSpaces: spaces, warmPoolSize: warmPool, jobsPerProcess: 1_000_000, idleTimeout: .seconds(600), queueWait: .seconds(60))
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let runner = try await CodeRunner.start(settings: settings, registry: PrometheusCollectorRegistry(), logger: logger)
        Task.detached { await runner.maintain() }
        await waitForPool(runner, size: warmPool)
        return runner
    }

    static func job(tenant: String, n: Int) -> CodeJob {
        CodeJob(workspaceID: "bench", tenantID: tenant, code: trivial, input: ["n": .number(Double(n))])
    }

    static func timed(_ body: () async -> CodeRunResult) async throws -> Double {
        let start = ContinuousClock.now
        let result = await body()
        if let error = result.error { throw error }
        return milliseconds(ContinuousClock.now - start)
    }

    static func report(_ scenario: String, _ values: [Double], target: String) {
        let sample = Sample(values: values)
        row("code-runner", scenario, "latency p50 (ms)", format(sample.percentile(50), 2), "p99 \(format(sample.percentile(99), 2))", target)
    }

    static func waitForPool(_ runner: CodeRunner, size: Int) async {
        let deadline = ContinuousClock.now + .seconds(10)
        while await runner.pool.warmCount < size, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    static func throughput(runner: CodeRunner, workers: Int, seconds: Int, job: @escaping @Sendable (Int, Int) -> CodeJob) async throws -> Double {
        let start = ContinuousClock.now
        let deadline = start + .seconds(seconds)
        let completed = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < deadline {
                        let result = await runner.run(job(worker, count), bridge: NoAPIBridge())
                        if let error = result.error { throw error }
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(completed) / (milliseconds(ContinuousClock.now - start) / 1000)
    }
}
