import Foundation
import Logging
import Testing

import SwitchyardCore
import SwitchyardStore
import SwitchyardTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The job roles as real processes: killed workers, a restarted database, competing
/// orchestrators, and jobs that break their time or memory cap.
@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the switchyard binary"), .timeLimit(.minutes(6)))
struct JobProcessTests {
    static let logger = Logger(label: "job-process-test")

    /// A fresh PostgreSQL database, and the environment of a Switchyard process on it: `settings`,
    /// `DATABASE_URL` and a migrated `DATA_DIR`. The caller drops the database.
    private func migratedDatabase(
        _ settings: [String: String]
    ) async throws -> (database: PostgresTestDatabase, url: String, environment: [String: String]) {
        let adminURL = try #require(TestEnvironment.postgresURL)
        let database = try PostgresTestDatabase.create(adminURL: adminURL)
        let url = database.url(port: URLComponents(string: adminURL)?.port ?? 5432)
        var environment = settings
        environment["DATABASE_URL"] = url
        do {
            environment["DATA_DIR"] = try await SwitchyardProcess.migratedDataDirectory(environment: environment)
        } catch {
            database.drop()
            throw error
        }
        return (database, url, environment)
    }

    /// Opens the store a set of processes share, from the test.
    private func openStore(_ url: String) throws -> OpenStore {
        try OpenStore.open(
            .postgres(try PostgresURL.parse(url)), keys: KeyRing(secret: "unused-by-jobs-0123456789"), cursors: PageCursor(secret: "unused-by-jobs-0123456789"),
            logger: Self.logger
        )
    }

    private func sleepJobs(_ count: Int, queue: JobQueueName, ms: Int) -> [NewJob] {
        (0..<count).map { index in
            NewJob(kind: "diagnostics.sleep", queue: queue, args: ["ms": .number(Double(ms)), "n": .number(Double(index))], tenantID: "t\(index % 5)")
        }
    }

    /// Waits until no job is pending, failing the test after `timeout`.
    private func waitUntilAllFinished(_ jobs: any JobStore, total: Int, timeout: Duration, context: () async -> String) async throws -> JobCounts {
        let deadline = ContinuousClock.now + timeout
        var counts = JobCounts()
        while ContinuousClock.now < deadline {
            if let current = try? await jobs.counts(now: StoreClock.now()) {
                counts = current
                if counts.finished == total { return counts }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let details = await context()
        Issue.record("jobs did not all finish within \(timeout): \(counts)\n\(details)")
        return counts
    }

    @Test(
        "kill -9 of workers mid-job, 20 times under load, loses no job and every job completes",
        .enabled(if: TestEnvironment.canUsePostgres, "needs PostgreSQL")
    )
    func killedWorkersLoseNothing() async throws {
        let (database, url, env) = try await migratedDatabase([
            "JOBS_LEASE_SECONDS": "1", "ORCHESTRATOR_INTERVAL_MS": "100", "JOBS_POLL_INTERVAL_MS": "200",
        ])
        defer { database.drop() }
        let store = try openStore(url)
        try await store.whileRunning { [self] store in
            let instant = sleepJobs(400, queue: .instant, ms: 200)
            let queued = sleepJobs(100, queue: .queued, ms: 150)
            _ = try await store.jobs.enqueue(instant + queued, limits: nil)
            let orchestrator = try SwitchyardProcess(["serve", "--role", "orchestrator"], environment: env)
            let workerArguments = ["serve", "--role", "instant-worker", "--role", "queued-worker"]
            var workers = try (0..<3).map { _ in try SwitchyardProcess(workerArguments, environment: env) }
            var killed = 0
            while killed < 20 {
                try await Task.sleep(for: .milliseconds(300))
                let index = Int.random(in: 0..<workers.count)
                workers[index].signal(SIGKILL)
                _ = try await workers[index].waitForExit()
                killed += 1
                workers[index] = try SwitchyardProcess(workerArguments, environment: env)
            }
            let counts = try await waitUntilAllFinished(store.jobs, total: 500, timeout: .seconds(180)) { orchestrator.output }
            #expect(counts.count(.instant, .completed) == 400)
            #expect(counts.count(.queued, .completed) == 100)
            let rescued = try await store.jobs.jobs(states: [.completed], limit: 1000, afterID: nil).filter { job in
                job.errors.contains { $0.error.contains("lease") }
            }
            #expect(!rescued.isEmpty, "no kill hit a running job, so the test proved nothing")
            for worker in workers { try await worker.stop() }
            try await orchestrator.stop()
        }
    }

    @Test(
        "PostgreSQL restarted mid-run loses no job",
        .enabled(if: (TestEnvironment.canUsePostgres && DedicatedPostgres.bin != nil) || TestEnvironment.requireAll, "needs PostgreSQL binaries")
    )
    func databaseRestartLosesNothing() async throws {
        let server = try await DedicatedPostgres.start()
        defer { server.remove() }
        var environment = ["DATABASE_URL": server.urlString, "JOBS_LEASE_SECONDS": "2", "ORCHESTRATOR_INTERVAL_MS": "100", "JOBS_POLL_INTERVAL_MS": "200"]
        environment["DATA_DIR"] = try await SwitchyardProcess.migratedDataDirectory(environment: environment)
        let env = environment
        let store = try openStore(server.urlString)
        try await store.whileRunning { [self] store in
            _ = try await store.jobs.enqueue(sleepJobs(300, queue: .instant, ms: 50) + sleepJobs(30, queue: .queued, ms: 100), limits: nil)
            let process = try SwitchyardProcess(["serve", "--role", "instant-worker,queued-worker,orchestrator"], environment: env)
            try await Task.sleep(for: .seconds(2))
            try await server.kill()
            try await Task.sleep(for: .seconds(1))
            try await server.start()
            // Enqueue more once the database is back (the store reconnects on its own).
            var enqueued = false
            for _ in 0..<50 where !enqueued {
                enqueued = (try? await store.jobs.enqueue(sleepJobs(50, queue: .instant, ms: 10), limits: nil)) != nil
                if !enqueued { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(enqueued)
            let counts = try await waitUntilAllFinished(store.jobs, total: 380, timeout: .seconds(120)) {
                "database sessions:\n\(await server.activity())\n\(process.output)"
            }
            #expect(counts.count(.instant, .completed) == 350)
            #expect(counts.count(.queued, .completed) == 30)
            #expect(process.process.isRunning, "the worker must survive the database restart:\n\(process.output)")
            try await process.stop()
        }
    }

    @Test(
        "Two orchestrators: the leader is killed, the other takes over within 10 s, and every schedule tick fires exactly once",
        .enabled(if: TestEnvironment.canUsePostgres, "needs PostgreSQL")
    )
    func orchestratorFailover() async throws {
        let (database, url, env) = try await migratedDatabase(["ORCHESTRATOR_LEADERSHIP_SECONDS": "3", "ORCHESTRATOR_INTERVAL_MS": "200"])
        defer { database.drop() }
        let store = try openStore(url)
        try await store.whileRunning { store in
            try await store.jobs.saveSchedule(JobSchedule(name: "every-second", kind: "diagnostics.noop", queue: .instant, everySeconds: 1))
            let first = try SwitchyardProcess(["serve", "--role", "orchestrator"], environment: env)
            let second = try SwitchyardProcess(["serve", "--role", "orchestrator"], environment: env)
            let became = "orchestrator became the leader"
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, !first.output.contains(became), !second.output.contains(became) {
                try await Task.sleep(for: .milliseconds(50))
            }
            let (leader, follower) = first.output.contains(became) ? (first, second) : (second, first)
            #expect(leader.output.contains(became))
            try await Task.sleep(for: .seconds(3))
            leader.signal(SIGKILL)
            let killedAt = ContinuousClock.now
            while ContinuousClock.now - killedAt < .seconds(15), !follower.output.contains(became) {
                try await Task.sleep(for: .milliseconds(50))
            }
            let takeover = ContinuousClock.now - killedAt
            #expect(follower.output.contains(became))
            #expect(takeover < .seconds(10), "takeover took \(takeover)")
            try await Task.sleep(for: .seconds(3))
            try await follower.stop()
            let ticks = try await store.jobs.jobs(states: [], limit: 1000, afterID: nil).compactMap { job in
                job.uniqueKey.flatMap { $0.split(separator: ":").last }.flatMap { Int64($0) }
            }
            #expect(ticks.count >= 7)
            #expect(Set(ticks).count == ticks.count, "a tick fired twice: \(ticks)")
            let sorted = ticks.sorted()
            let gaps = zip(sorted, sorted.dropFirst()).filter { $1 - $0 != 1_000_000 }
            #expect(gaps.isEmpty, "ticks were skipped: \(sorted)")
        }
    }

    @Test(
        "QUEUED_TASKS_WORKER_CONCURRENCY 3: a queued worker runs two slow jobs at once, each in its own executor, and kills an over-memory job alone",
        .enabled(if: TestEnvironment.canUsePostgres, "needs PostgreSQL")
    )
    func slotsRunJobsAtOnceUnderTheirOwnCaps() async throws {
        let (database, url, env) = try await migratedDatabase([
            "QUEUED_TASKS_WORKER_CONCURRENCY": "3", "MAX_QUEUED_TASKS_MEMORY_MB": "48", "JOBS_POLL_INTERVAL_MS": "200",
        ])
        defer { database.drop() }
        let store = try openStore(url)
        try await store.whileRunning { store in
            let worker = try SwitchyardProcess(["serve", "--role", "queued-worker"], environment: env)
            _ = try await worker.waitUntilHealthy()
            let greedy = NewJob(kind: "diagnostics.allocate", queue: .queued, args: ["mb": 400, "ms": 5000], maxAttempts: 1)
            let slow = (0..<2).map { index in
                NewJob(kind: "diagnostics.sleep", queue: .queued, args: ["ms": 3000, "n": .number(Double(index))], maxAttempts: 1)
            }
            let ids = try await store.jobs.enqueue([greedy] + slow, limits: nil).map(\.id)
            let deadline = ContinuousClock.now + .seconds(60)
            var jobs: [Job] = []
            while ContinuousClock.now < deadline {
                jobs = try await store.jobs.jobs(states: [], limit: 10, afterID: nil).filter { ids.contains($0.id) }.sorted { $0.id < $1.id }
                if jobs.count == 3, jobs.allSatisfy({ JobState.finished.contains($0.state) }) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            try #require(jobs.count == 3, "\(jobs)")
            #expect(jobs[0].state == .discarded, "\(jobs[0])")
            #expect(jobs[0].errors.contains { $0.error.contains("out_of_memory") }, "\(jobs[0].errors)\n\(worker.output)")
            for job in jobs.dropFirst() {
                #expect(job.state == .completed && job.attempt == 1 && job.errors.isEmpty, "a slow job must finish in its first attempt: \(job)")
            }
            // Each sleeps 3 s: one after the other, they would start at least 3 s apart.
            let starts = jobs.dropFirst().map { $0.attemptedAt ?? 0 }
            let apart = abs(starts[0] - starts[1])
            #expect(starts.allSatisfy { $0 > 0 } && apart < 1_500_000, "the two slow jobs started \(apart / 1000) ms apart: \(jobs)")
            try await worker.stop()
        }
    }

    @Test("A job over its time or memory cap fails with timeout or out_of_memory, and the worker keeps serving; operators retry and cancel from the CLI")
    func capsFailTheJobNotTheWorker() async throws {
        // One slot, so the three jobs run in turn and the last shows the slot's executor was replaced.
        let environment = [
            "MAX_QUEUED_TASKS_PROCESS_TIME_SECONDS": "1", "MAX_QUEUED_TASKS_MEMORY_MB": "48", "ALL_IN_ONE_QUEUED_TASKS_WORKERS": "1",
            "QUEUED_TASKS_WORKER_CONCURRENCY": "1",
        ]
        let server = try SwitchyardProcess(["serve"], environment: environment)
        _ = try await server.waitUntilHealthy()
        let env = environment.merging(["DATA_DIR": server.dataDirectory]) { $1 }
        func cli(_ arguments: [String]) async throws -> String {
            let result = try await SwitchyardProcess.run(arguments, environment: env)
            #expect(result.status == 0, "\(arguments): \(result.output)")
            return result.output
        }
        func job(_ output: String) throws -> JSONValue {
            let lines = output.split(separator: "\n").map(String.init)
            return try JSONValue.parse(lines.last ?? "")
        }
        let slow = try job(try await cli(["jobs", "enqueue", "--kind", "diagnostics.sleep", "--args", #"{"ms":30000}"#]))["id"]?.numberValue
        let greedy = try job(try await cli(["jobs", "enqueue", "--kind", "diagnostics.allocate", "--args", #"{"mb":400,"ms":5000}"#]))["id"]?.numberValue
        let fine = try job(try await cli(["jobs", "enqueue", "--kind", "diagnostics.noop"]))["id"]?.numberValue
        func state(_ id: Double?) async throws -> JSONValue { try job(try await cli(["jobs", "show", String(Int(id ?? 0))])) }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, try await state(fine)["state"] != "completed" { try await Task.sleep(for: .milliseconds(200)) }
        let timedOut = try await state(slow)
        let tooBig = try await state(greedy)
        #expect(timedOut["state"] == "discarded")
        let timeoutErrors = timedOut["errors"]?.jsonText ?? ""
        #expect(timeoutErrors.contains("timeout"), "\(timedOut)")
        #expect(tooBig["state"] == "discarded")
        let memoryErrors = tooBig["errors"]?.jsonText ?? ""
        #expect(memoryErrors.contains("out_of_memory"), "\(tooBig)")
        #expect(try await state(fine)["state"] == "completed", "the worker must go on serving after killing two jobs:\n\(server.output)")
        let discarded = try await cli(["jobs", "list"])
        #expect(discarded.split(separator: "\n").count == 2)
        let retried = try job(try await cli(["jobs", "retry", String(Int(slow ?? 0))]))
        #expect(retried["state"] == "available")
        // The retried job runs (and times out) again at once, so cancel a job that is sure to be waiting: one delayed by ten minutes.
        let later = try job(try await cli(["jobs", "enqueue", "--kind", "diagnostics.noop", "--delay-seconds", "600"]))["id"]?.numberValue
        let cancelled = try job(try await cli(["jobs", "cancel", String(Int(later ?? 0))]))
        #expect(cancelled["state"] == "cancelled")
        let refused = try await SwitchyardProcess.run(["jobs", "retry", String(Int(later ?? 0) + 1000)], environment: env)
        #expect(refused.status == 1 && refused.output.contains("not found"))
        try await server.stop()
    }
}
