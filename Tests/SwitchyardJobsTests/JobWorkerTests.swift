import Foundation
import Logging
import Synchronization
import Testing

import SwitchyardCore
import SwitchyardJobs
import SwitchyardStore

/// A worker over an embedded store, run in the test process.
struct WorkerHarness {
    let store: OpenStore
    let directory: String
    static let logger = Logger(label: "worker-test")

    init() throws {
        directory = NSTemporaryDirectory() + "switchyard-worker-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try OpenStore.open(
            .sqlite(path: directory + "/jobs.sqlite"), keys: KeyRing(secret: "worker-test-secret-0123"), cursors: PageCursor(secret: "worker-test-secret-0123"),
            logger: Self.logger
        )
    }

    func worker(_ registry: JobRegistry, lease: Duration = .seconds(30), grace: Duration = .seconds(5), timeLimit: Duration = .seconds(30)) -> JobWorker {
        JobWorker(
            id: "w-" + UUID().uuidString.prefix(6), store: store.jobs,
            execution: InProcessExecution(registry: registry, timeLimit: timeLimit, logger: Self.logger),
            settings: JobWorkerSettings(queue: .instant, concurrency: 4, lease: lease, pollInterval: .milliseconds(50), limits: nil, shutdownGrace: grace),
            metrics: nil, ready: {}, logger: Self.logger
        )
    }

    /// Polls until a job reaches one of the states.
    func wait(for id: Int64, in states: [JobState], timeout: Duration = .seconds(60)) async throws -> Job {
        let deadline = ContinuousClock.now + timeout
        var job = try await store.jobs.job(id)
        while !states.contains(job.state), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            job = try await store.jobs.job(id)
        }
        return job
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

final class Flag: Sendable {
    private let value = Mutex(0)
    func add() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

@Suite("Job worker")
struct JobWorkerTests {
    @Test("Jobs complete; a failing job is retried after backoff and succeeds; one that keeps failing is discarded with every error kept")
    func completesRetriesAndDiscards() async throws {
        let harness = try WorkerHarness()
        defer { harness.remove() }
        _ = try await harness.store.migrator.migrate()
        let attempts = Flag()
        var registry = JobRegistry()
        registry.register("ok") { _ in .completed }
        registry.register("flaky") { context in
            attempts.add()
            if context.job.attempt == 1 { throw JobFailure("first attempt fails") }
            return .completed
        }
        registry.register("broken") { _ in throw SwitchyardError(.unavailable, "the partner API is down") }
        let worker = harness.worker(registry)
        let orchestrator = Orchestrator(
            id: "o", store: harness.store.jobs, records: harness.store.records, settings: OrchestratorSettings(interval: .milliseconds(50)), registry: nil,
            ready: {}, logger: WorkerHarness.logger
        )
        let ids = try await harness.store.jobs.enqueue(
            [NewJob(kind: "ok", queue: .instant), NewJob(kind: "flaky", queue: .instant), NewJob(kind: "broken", queue: .instant, maxAttempts: 2)], limits: nil
        ).map(\.id)
        let running = Task { try await worker.run() }
        let ticking = Task { try await orchestrator.run() }
        #expect(try await harness.wait(for: ids[0], in: [.completed]).state == .completed)
        let flaky = try await harness.wait(for: ids[1], in: [.completed])
        #expect(flaky.state == .completed && flaky.attempt == 2 && flaky.errors.map(\.error) == ["first attempt fails"])
        let broken = try await harness.wait(for: ids[2], in: [.discarded], timeout: .seconds(30))
        #expect(broken.state == .discarded)
        #expect(broken.errors.map(\.error) == ["the partner API is down", "the partner API is down"])
        worker.stop()
        try await running.value
        ticking.cancel()
    }

    @Test("A running job an operator cancels is stopped by its worker")
    func cancelledJobIsStopped() async throws {
        let harness = try WorkerHarness()
        defer { harness.remove() }
        _ = try await harness.store.migrator.migrate()
        let stopped = Flag()
        var registry = JobRegistry()
        registry.register("long") { _ in
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                stopped.add()
                throw error
            }
            return .completed
        }
        let worker = harness.worker(registry, lease: .milliseconds(600))
        let id = try await harness.store.jobs.enqueue([NewJob(kind: "long", queue: .instant)], limits: nil)[0].id
        let running = Task { try await worker.run() }
        _ = try await harness.wait(for: id, in: [.running])
        _ = try await harness.store.jobs.cancel(id, worker: nil, reason: "no longer wanted")
        let deadline = ContinuousClock.now + .seconds(10)
        while stopped.count == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(stopped.count == 1)
        #expect(try await harness.store.jobs.job(id).state == .cancelled)
        worker.stop()
        try await running.value
    }

    @Test("On shutdown a worker stops fetching and gives back jobs that outlast the grace period, attempt not counted; snoozed jobs come back later")
    func shutdownReleasesAndSnoozeWaits() async throws {
        let harness = try WorkerHarness()
        defer { harness.remove() }
        _ = try await harness.store.migrator.migrate()
        var registry = JobRegistry()
        registry.register("long") { _ in
            try await Task.sleep(for: .seconds(60))
            return .completed
        }
        registry.register("later") { context in context.job.attempt == 1 ? .snooze(.seconds(30)) : .completed }
        let worker = harness.worker(registry, grace: .milliseconds(200))
        let ids = try await harness.store.jobs.enqueue([NewJob(kind: "long", queue: .instant), NewJob(kind: "later", queue: .instant)], limits: nil).map(\.id)
        let running = Task { try await worker.run() }
        _ = try await harness.wait(for: ids[0], in: [.running])
        let snoozed = try await harness.wait(for: ids[1], in: [.scheduled])
        #expect(snoozed.state == .scheduled && snoozed.attempt == 0 && snoozed.scheduledAt > StoreClock.now() + 20_000_000)
        worker.stop()
        try await running.value
        let released = try await harness.store.jobs.job(ids[0])
        #expect(released.state == .available && released.attempt == 0)
        _ = try await harness.store.jobs.enqueue([NewJob(kind: "long", queue: .instant)], limits: nil)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await harness.store.jobs.counts(now: StoreClock.now()).count(.instant, .running) == 0, "a stopped worker fetched a job")
    }

    @Test("An instant job past its time limit is stopped and discarded with a timeout error; the worker goes on")
    func instantTimeLimit() async throws {
        let harness = try WorkerHarness()
        defer { harness.remove() }
        _ = try await harness.store.migrator.migrate()
        var registry = JobRegistry()
        registry.register("stuck") { _ in
            try await Task.sleep(for: .seconds(60))
            return .completed
        }
        registry.register("ok") { _ in .completed }
        let worker = harness.worker(registry, timeLimit: .milliseconds(300))
        let ids = try await harness.store.jobs.enqueue([NewJob(kind: "stuck", queue: .instant), NewJob(kind: "ok", queue: .instant)], limits: nil).map(\.id)
        let running = Task { try await worker.run() }
        let stuck = try await harness.wait(for: ids[0], in: [.discarded])
        #expect(stuck.state == .discarded)
        #expect(stuck.errors.first?.error.hasPrefix("timeout:") == true)
        #expect(try await harness.wait(for: ids[1], in: [.completed]).state == .completed)
        worker.stop()
        try await running.value
    }
}
