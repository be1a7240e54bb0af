import Foundation
import Logging
import PostgresNIO
import SwitchyardCore
import SwitchyardJobs
import SwitchyardStore

/// Job queue throughput and latency. PostgreSQL: 1, 2, 4 and 8 `switchyard serve --role
/// instant-worker` processes (the release binary), woken by LISTEN/NOTIFY. SQLite: the
/// embedded default, one process whose workers share the enqueuer's process (as the API and
/// workers do in all-in-one). No-op jobs; three runs per case, medians reported.
///
/// Environment (benchmarks/jobs/versus_pgqueuer.py sets these for the fsync-on comparison with
/// PgQueuer): JOBS_BENCH_PROCESSES (worker process counts, e.g. "1,2,4,8"), JOBS_BENCH_RUNS,
/// JOBS_BENCH_JOBS and JOBS_BENCH_SQLITE=0 (skip the SQLite case).
enum JobsBenchmark {
    static let environment = ProcessInfo.processInfo.environment
    static let jobs = environment["JOBS_BENCH_JOBS"].flatMap { Int($0) } ?? 20_000
    static let latencyJobs = 300
    static let runs = environment["JOBS_BENCH_RUNS"].flatMap { Int($0) } ?? 3

    struct Result {
        var jobsPerSecond: Double
        var latencies: [Double]
    }

    static func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        if let admin = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_URL"], let binary = ProcessInfo.processInfo.environment["SWITCHYARD_BINARY"] {
            let adminURL = try PostgresURL.parse(admin)
            let counts = ProcessInfo.processInfo.environment["JOBS_BENCH_PROCESSES"].map { $0.split(separator: ",").compactMap { Int($0) } } ?? [1, 2, 4, 8]
            for processes in counts {
                var results: [Result] = []
                for _ in 0..<runs {
                    let name = "jobs_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
                    try await StoreBenchmark.adminQuery(adminURL, "CREATE DATABASE \(name)", logger: logger)
                    var url = adminURL
                    url.database = name
                    results.append(try await measurePostgres(url: url, admin: admin, processes: processes, binary: binary, logger: logger))
                    try? await StoreBenchmark.adminQuery(adminURL, "DROP DATABASE \(name) WITH (FORCE)", logger: logger)
                }
                report("postgres, \(processes) worker process\(processes == 1 ? "" : "es")", results)
            }
        } else {
            row("jobs", "postgres", "skipped", "-", "SWITCHYARD_TEST_POSTGRES_URL or SWITCHYARD_BINARY not set", "")
        }
        guard environment["JOBS_BENCH_SQLITE"] != "0" else { return }
        var results: [Result] = []
        for _ in 0..<runs { results.append(try await measureSQLite(logger: logger)) }
        report("sqlite, embedded (1 process)", results)
    }

    static func report(_ scenario: String, _ results: [Result]) {
        let rates = Sample(values: results.map(\.jobsPerSecond))
        row("jobs", scenario, "no-op jobs/s, enqueue→completed", format(rates.percentile(50), 0), "min \(format(rates.values.min() ?? 0, 0)) max \(format(rates.values.max() ?? 0, 0))", "≥ 10000 (postgres)")
        let p50 = Sample(values: results.map { Sample(values: $0.latencies).percentile(50) })
        let p99 = Sample(values: results.map { Sample(values: $0.latencies).percentile(99) })
        row("jobs", scenario, "enqueue→start p50 ms", format(p50.percentile(50), 2), "runs \(p50.values.map { format($0, 2) }.joined(separator: " / "))", "≤ 2")
        row("jobs", scenario, "enqueue→start p99 ms", format(p99.percentile(50), 2), "runs \(p99.values.map { format($0, 2) }.joined(separator: " / "))", "≤ 10")
    }

    // MARK: PostgreSQL, worker processes

    static func measurePostgres(url: PostgresURL, admin: String, processes: Int, binary: String, logger: Logger) async throws -> Result {
        let store = try OpenStore.open(.postgres(url), keys: KeyRing(secret: "bench-encryption-secret-0001"), cursors: PageCursor(secret: "bench-cursor-secret-000001"), logger: logger)
        return try await store.whileRunning { store in
            _ = try await store.migrator.migrate()
            let directory = NSTemporaryDirectory() + "switchyard-bench-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            var databaseURL = URLComponents(string: admin)!
            databaseURL.path = "/" + url.database
            let environment = [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "DATA_DIR": directory, "PORT": "0", "DATABASE_URL": databaseURL.string!,
                "INSTANT_TASKS_WORKER_CONCURRENCY": "64", "DATABASE_MAX_POOL_SIZE": "8",
            ]
            let workers = try (0..<processes).map { _ in try start(binary, ["serve", "--role", "instant-worker"], environment: environment) }
            defer {
                for worker in workers where worker.isRunning { kill(worker.processIdentifier, SIGKILL) }
            }
            try await waitForWorkers(store.jobs, count: processes)
            let result = try await measure(store.jobs)
            for worker in workers { kill(worker.processIdentifier, SIGTERM) }
            for worker in workers { await ProcessLaunch.waitForExit(worker, timeout: .seconds(30)) }
            return result
        }
    }

    static func start(_ binary: String, _ arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        return process
    }

    static func waitForWorkers(_ jobs: any JobStore, count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await jobs.liveWorkers(queue: .instant, since: StoreClock.now() - 60_000_000) < count {
            guard ContinuousClock.now < deadline else { throw SwitchyardError(.unavailable, "workers did not start") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    // MARK: SQLite, in process

    static func measureSQLite(logger: Logger) async throws -> Result {
        let directory = NSTemporaryDirectory() + "switchyard-bench-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try OpenStore.open(
            .sqlite(path: directory + "/jobs.sqlite"), keys: KeyRing(secret: "bench-encryption-secret-0001"), cursors: PageCursor(secret: "bench-cursor-secret-000001"),
            logger: logger
        )
        _ = try await store.migrator.migrate()
        var registry = JobRegistry()
        DiagnosticJobs.register(in: &registry)
        let worker = JobWorker(
            id: "bench-sqlite", store: store.jobs, execution: InProcessExecution(registry: registry, timeLimit: .seconds(60), logger: logger),
            settings: JobWorkerSettings(queue: .instant, concurrency: 64, lease: .seconds(30), pollInterval: .seconds(1), limits: nil),
            metrics: nil, ready: {}, logger: logger
        )
        let running = Task { try await worker.run() }
        try await waitForWorkers(store.jobs, count: 1)
        let result = try await measure(store.jobs)
        worker.stop()
        try await running.value
        return result
    }

    // MARK: Measurement

    static func measure(_ jobs: any JobStore) async throws -> Result {
        let noop = NewJob(kind: DiagnosticJobs.noop, queue: .instant)
        let started = StoreClock.now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for part in 0..<2 {
                group.addTask {
                    for start in stride(from: part * 500, to: Self.jobs, by: 1000) {
                        _ = try await jobs.enqueue(Array(repeating: noop, count: min(500, Self.jobs - start)), limits: nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        try await waitForCompleted(jobs, Self.jobs)
        // Latency: single jobs, one at a time with a pause, on idle workers.
        var firstID: Int64 = .max
        for _ in 0..<latencyJobs {
            let id = try await jobs.enqueue([noop], limits: nil)[0].id
            firstID = min(firstID, id)
            try await Task.sleep(for: .milliseconds(10))
        }
        try await waitForCompleted(jobs, Self.jobs + latencyJobs)
        // Both figures come from the jobs' own timestamps, so polling adds nothing to them.
        var latencies: [Double] = []
        var lastFinished: Int64 = 0
        var after: Int64 = 0
        while true {
            let page = try await jobs.jobs(states: [.completed], limit: 1000, afterID: after)
            guard let last = page.last else { break }
            for job in page {
                if job.id >= firstID {
                    if let attempted = job.attemptedAt { latencies.append(Double(attempted - job.createdAt) / 1000) }
                } else {
                    lastFinished = max(lastFinished, job.finalizedAt ?? 0)
                }
            }
            after = last.id
        }
        let rate = Double(Self.jobs) / (Double(lastFinished - started) / 1_000_000)
        return Result(jobsPerSecond: rate, latencies: latencies)
    }

    static func waitForCompleted(_ jobs: any JobStore, _ total: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(300)
        while try await jobs.counts(now: StoreClock.now()).count(.instant, .completed) < total {
            guard ContinuousClock.now < deadline else { throw SwitchyardError(.unavailable, "jobs did not complete in time") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
