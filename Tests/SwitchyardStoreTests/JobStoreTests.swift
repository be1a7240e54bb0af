import Foundation
import SwitchyardCore
import Synchronization
import Testing

@testable import SwitchyardStore

@Suite("Job queue on both backends")
struct JobStoreTests {
    static let lease = Duration.seconds(30)

    private func noop(_ n: Int = 0, queue: JobQueueName = .instant, tenant: String? = nil, connection: String? = nil, priority: Int = 2) -> NewJob {
        NewJob(
            kind: "noop", queue: queue, priority: priority, args: ["n": .number(Double(n))], workspaceID: "w1", tenantID: tenant,
            connectionID: connection)
    }

    @Test("Jobs come out by priority, then age; delayed jobs wait until promoted", arguments: Backend.available)
    func priorityOrderAndDelay(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let jobs = store.jobs
            _ = try await jobs.enqueue([noop(1, priority: 3), noop(2, priority: 1), noop(3, priority: 3)], limits: nil)
            var delayed = noop(4)
            // Far enough ahead that a slow, loaded machine cannot reach it during the test.
            delayed.scheduledAt = StoreClock.now() + 300_000_000
            _ = try await jobs.enqueue([delayed], limits: nil)
            let fetched = try await jobs.fetch(queue: .instant, worker: "w", limit: 10, lease: Self.lease, limits: nil)
            #expect(fetched.map { $0.args["n"]?.numberValue } == [2, 1, 3])
            #expect(fetched.allSatisfy { $0.state == .running && $0.attempt == 1 && $0.attemptedBy == "w" })
            #expect(try await jobs.promoteDue(now: StoreClock.now(), limit: 100) == 0)
            #expect(try await jobs.promoteDue(now: StoreClock.now() + 400_000_000, limit: 100) == 1)
            let later = try await jobs.fetch(queue: .instant, worker: "w", limit: 10, lease: Self.lease, limits: nil)
            #expect(later.map { $0.args["n"]?.numberValue } == [4])
        }
    }

    @Test("Many concurrent fetchers never get the same job, and together get all of them", arguments: Backend.available)
    func concurrentFetchersNeverShare(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let jobs = store.jobs
            let total = 600
            _ = try await jobs.enqueue((0..<total).map { noop($0) }, limits: nil)
            let seen = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let batch = try await jobs.fetch(queue: .instant, worker: "w\(worker)", limit: 7, lease: Self.lease, limits: nil)
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.id)
                            #expect(try await jobs.complete(batch.map(\.id), worker: "w\(worker)") == batch.count)
                        }
                    }
                }
                var all: [Int64] = []
                for try await ids in group { all += ids }
                return all
            }
            #expect(seen.count == total)
            #expect(Set(seen).count == total)
            #expect(try await jobs.counts(now: StoreClock.now()).count(.instant, .completed) == total)
        }
    }

    @Test("A job enqueued in a batch that fails is never stored, so it never runs", arguments: Backend.available)
    func rolledBackEnqueueNeverRuns(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let scope = StoreScope.workspace("w1")
            let failing: [RecordWrite] = [
                .enqueue(noop(1), limits: nil),
                .update(.integrations, id: "missing", scope: scope, expectedRevision: nil) { _ in },
            ]
            await #expect(throws: SwitchyardError.self) { _ = try await store.records.apply(failing) }
            #expect(try await store.jobs.fetch(queue: .instant, worker: "w", limit: 10, lease: Self.lease, limits: nil).isEmpty)
            _ = try await store.records.apply([
                .insert(NewRecord(kind: .integrations, id: "i1", key: "hub"), scope: scope), .enqueue(noop(2), limits: nil),
            ])
            let fetched = try await store.jobs.fetch(queue: .instant, worker: "w", limit: 10, lease: Self.lease, limits: nil)
            #expect(fetched.map { $0.args["n"]?.numberValue } == [2])
        }
    }

    @Test("A unique key dedupes concurrent enqueues while a job is pending, and frees up after it finishes", arguments: Backend.available)
    func uniqueKeyDedupes(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let jobs = store.jobs
            var draft = noop()
            draft.uniqueKey = "pull:connection-1"
            let job = draft
            let results = try await withThrowingTaskGroup(of: EnqueueResult.self) { group in
                for _ in 0..<20 { group.addTask { try await jobs.enqueue([job], limits: nil)[0] } }
                var all: [EnqueueResult] = []
                for try await result in group { all.append(result) }
                return all
            }
            let inserted = results.filter { if case .inserted = $0 { true } else { false } }
            #expect(inserted.count == 1)
            #expect(Set(results.map(\.id)).count == 1)
            let fetched = try await jobs.fetch(queue: .instant, worker: "w", limit: 10, lease: Self.lease, limits: nil)
            #expect(try await jobs.enqueue([job], limits: nil) == [.duplicate(fetched[0].id)])
            #expect(try await jobs.complete([fetched[0].id], worker: "w") == 1)
            let again = try await jobs.enqueue([job], limits: nil)[0]
            #expect(again != .duplicate(fetched[0].id))
        }
    }

    @Test("A job whose lease expires is taken back, and its old worker can no longer finish it", arguments: Backend.available)
    func expiredLeaseIsRescued(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let jobs = store.jobs
            _ = try await jobs.enqueue([noop(1)], limits: nil)
            let first = try await jobs.fetch(queue: .instant, worker: "dead", limit: 1, lease: .milliseconds(1), limits: nil)
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await jobs.rescueExpired(now: StoreClock.now(), limit: 100) == 1)
            let second = try await jobs.fetch(queue: .instant, worker: "alive", limit: 1, lease: Self.lease, limits: nil)
            #expect(second.map(\.id) == first.map(\.id))
            #expect(second[0].attempt == 2)
            #expect(second[0].errors.first?.error.contains("lease") == true)
            #expect(try await jobs.complete(first.map(\.id), worker: "dead") == 0)
            #expect(try await jobs.heartbeat(first.map(\.id), worker: "dead", lease: Self.lease).isEmpty)
            #expect(try await jobs.heartbeat(first.map(\.id), worker: "alive", lease: Self.lease) == Set(first.map(\.id)))
            #expect(try await jobs.complete(first.map(\.id), worker: "alive") == 1)
        }
    }

    @Test("Failures retry until max attempts, then the job is discarded and kept; an operator can retry it", arguments: Backend.available)
    func retriesThenDiscard(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let jobs = store.jobs
            var job = noop(1)
            job.maxAttempts = 2
            let id = try await jobs.enqueue([job], limits: nil)[0].id
            _ = try await jobs.fetch(queue: .instant, worker: "w", limit: 1, lease: Self.lease, limits: nil)
            #expect(try await jobs.fail(id, worker: "w", error: "boom 1", retryAt: StoreClock.now(), discard: false) == .retryable)
            #expect(try await jobs.promoteDue(now: StoreClock.now(), limit: 10) == 1)
            _ = try await jobs.fetch(queue: .instant, worker: "w", limit: 1, lease: Self.lease, limits: nil)
            #expect(try await jobs.fail(id, worker: "w", error: "boom 2", retryAt: StoreClock.now(), discard: false) == .discarded)
            let discarded = try await jobs.jobs(states: [.discarded], limit: 10, afterID: nil)
            #expect(discarded.map(\.id) == [id])
            #expect(discarded[0].errors.map(\.error) == ["boom 1", "boom 2"])
            #expect(discarded[0].errors.map(\.attempt) == [1, 2])
            #expect(discarded[0].finalizedAt != nil)
            let retried = try await jobs.retry(id)
            #expect(retried.state == .available && retried.maxAttempts == 3)
            await #expect(throws: SwitchyardError.self) { _ = try await jobs.retry(id) }
            await #expect(throws: SwitchyardError.self) { _ = try await jobs.retry(999_999) }
        }
    }

    @Test("Snoozing puts a job back without using an attempt; cancelling a running job takes it from its worker", arguments: Backend.available)
    func snoozeAndCancel(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let jobs = store.jobs
            let id = try await jobs.enqueue([noop(1)], limits: nil)[0].id
            _ = try await jobs.fetch(queue: .instant, worker: "w", limit: 1, lease: Self.lease, limits: nil)
            #expect(try await jobs.snooze(id, worker: "w", until: StoreClock.now() - 1))
            let again = try await jobs.fetch(queue: .instant, worker: "w", limit: 1, lease: Self.lease, limits: nil)
            #expect(again.first?.attempt == 1)
            let cancelled = try await jobs.cancel(id, worker: nil, reason: "operator said so")
            #expect(cancelled?.state == .cancelled)
            #expect(try await jobs.heartbeat([id], worker: "w", lease: Self.lease).isEmpty)
            #expect(try await jobs.complete([id], worker: "w") == 0)
            #expect(try await jobs.job(id).state == .cancelled)
            #expect(try await jobs.cancel(id, worker: nil, reason: "again") == nil)
        }
    }

    @Test("With limits on, a tenant with thousands of jobs does not starve a tenant with ten", arguments: Backend.available)
    func fairAcrossTenants(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let jobs = store.jobs
            let limits = JobLimitSettings(defaults: JobLimits(runningPerConnection: nil, runningPerTenant: nil, queuePerConnection: nil))
            _ = try await jobs.enqueue((0..<3000).map { noop($0, queue: .queued, tenant: "big") }, limits: limits)
            _ = try await jobs.enqueue((0..<10).map { noop($0, queue: .queued, tenant: "small") }, limits: limits)
            var served: [String] = []
            for _ in 0..<20 {
                let batch = try await jobs.fetch(queue: .queued, worker: "w", limit: 1, lease: Self.lease, limits: limits)
                served += batch.compactMap(\.tenantID)
                _ = try await jobs.complete(batch.map(\.id), worker: "w")
            }
            #expect(served.filter { $0 == "small" }.count == 10)
            #expect(served.filter { $0 == "big" }.count == 10)
        }
    }

    @Test("With limits on, a connection runs one job at a time and its queue is bounded per workspace or tenant", arguments: Backend.available)
    func connectionCapsAndBound(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let jobs = store.jobs
            let limits = JobLimitSettings.standard
            try await jobs.setLimits(JobLimits(queuePerConnection: 3), workspaceID: "w1", tenantID: nil)
            try await jobs.setLimits(JobLimits(queuePerConnection: 5), workspaceID: "w1", tenantID: "vip")
            #expect(try await jobs.limits(workspaceID: "w1", tenantID: "vip") == JobLimits(queuePerConnection: 5))
            _ = try await jobs.enqueue((0..<3).map { noop($0, queue: .queued, tenant: "t", connection: "c1") }, limits: limits)
            await #expect { _ = try await jobs.enqueue([noop(9, queue: .queued, tenant: "t", connection: "c1")], limits: limits) } throws: { error in
                (error as? SwitchyardError)?.key == .rateLimitExceeded && (error as? SwitchyardError)?.retryAfterSeconds != nil
            }
            _ = try await jobs.enqueue((0..<5).map { noop($0, queue: .queued, tenant: "vip", connection: "c2") }, limits: limits)
            let first = try await jobs.fetch(queue: .queued, worker: "a", limit: 5, lease: Self.lease, limits: limits)
            #expect(Set(first.compactMap(\.connectionID)) == ["c1", "c2"])
            #expect(first.count == 2)
            #expect(try await jobs.fetch(queue: .queued, worker: "b", limit: 5, lease: Self.lease, limits: limits).isEmpty)
            #expect(try await jobs.requiredQueuedWorkers(limits: limits) == 2)
            #expect(try await jobs.requiredQueuedWorkers(limits: nil) == 8)
            _ = try await jobs.complete([first[0].id], worker: "a")
            #expect(
                try await jobs.fetch(queue: .queued, worker: "b", limit: 5, lease: Self.lease, limits: limits).map(\.connectionID) == [
                    first[0].connectionID
                ])
            try await jobs.setLimits(JobLimits(), workspaceID: "w1", tenantID: "vip")
            #expect(try await jobs.limits(workspaceID: "w1", tenantID: "vip") == JobLimits())
        }
    }

    @Test("A named lease has one holder until it expires", arguments: Backend.available)
    func leasesHaveOneHolder(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let jobs = store.jobs
            #expect(try await jobs.acquireLease("orchestrator", holder: "a", ttl: .seconds(30)))
            #expect(try await jobs.acquireLease("orchestrator", holder: "b", ttl: .seconds(30)) == false)
            #expect(try await jobs.acquireLease("orchestrator", holder: "a", ttl: .milliseconds(1)))
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await jobs.acquireLease("orchestrator", holder: "b", ttl: .seconds(30)))
            #expect(try await jobs.acquireLease("orchestrator", holder: "a", ttl: .seconds(30)) == false)
            try await jobs.releaseLease("orchestrator", holder: "b")
            #expect(try await jobs.acquireLease("orchestrator", holder: "a", ttl: .seconds(30)))
        }
    }

    @Test("A schedule tick fires once however many fire it at once, and never goes backwards", arguments: Backend.available)
    func ticksFireOnce(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let jobs = store.jobs
            let nightly = JobSchedule(name: "nightly", kind: "nightly", queue: .queued, cron: "0 3 * * *")
            try await jobs.saveSchedule(nightly)
            #expect(try await jobs.schedules().map(\.schedule) == [nightly])
            #expect(try await jobs.fireTick(schedule: "unknown", tick: 1000, job: NewJob(kind: "x", queue: .queued)) == false)
            let fired = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await jobs.fireTick(schedule: "nightly", tick: 1000, job: NewJob(kind: "nightly", queue: .queued)) }
                }
                var count = 0
                for try await didFire in group where didFire { count += 1 }
                return count
            }
            #expect(fired == 1)
            #expect(try await jobs.fireTick(schedule: "nightly", tick: 999, job: NewJob(kind: "nightly", queue: .queued)) == false)
            #expect(try await jobs.lastTick(schedule: "nightly") == 1000)
            #expect(try await jobs.counts(now: StoreClock.now()).count(.queued, .available) == 1)
            #expect(try await jobs.schedules().first?.lastTick == 1000)
            await #expect(throws: SwitchyardError.self) {
                try await jobs.saveSchedule(JobSchedule(name: "both", kind: "x", queue: .queued, everySeconds: 5, cron: "* * * * *"))
            }
            #expect(try await jobs.deleteSchedule("nightly"))
            #expect(try await jobs.deleteSchedule("nightly") == false)
        }
    }

    @Test("Finished jobs are deleted by age; workers are counted while seen", arguments: Backend.available)
    func cleanupAndPresence(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let jobs = store.jobs
            _ = try await jobs.enqueue([noop(1), noop(2)], limits: nil)
            let batch = try await jobs.fetch(queue: .instant, worker: "w", limit: 2, lease: Self.lease, limits: nil)
            _ = try await jobs.complete([batch[0].id], worker: "w")
            _ = try await jobs.fail(batch[1].id, worker: "w", error: "no", retryAt: 0, discard: true)
            #expect(try await jobs.deleteFinished(before: [.completed: StoreClock.now() + 1], limit: 100) == 1)
            #expect(try await jobs.jobs(states: [], limit: 10, afterID: nil).map(\.state) == [.discarded])
            try await jobs.recordWorker("q1", queue: .queued, busy: true)
            try await jobs.recordWorker("q2", queue: .queued, busy: false)
            // Seen within the last minute (a loaded machine can take seconds between the steps).
            #expect(try await jobs.liveWorkers(queue: .queued, since: StoreClock.now() - 60_000_000) == 2)
            try await jobs.removeWorker("q1")
            #expect(try await jobs.liveWorkers(queue: .queued, since: StoreClock.now() - 60_000_000) == 1)
        }
    }

    @Test("Bad jobs are refused naming the field", arguments: Backend.available)
    func badJobsRefused(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            await #expect { _ = try await store.jobs.enqueue([NewJob(kind: "x", queue: .instant, priority: 9)], limits: nil) } throws: { error in
                (error as? SwitchyardError)?.data["field"] == "priority"
            }
            await #expect { _ = try await store.jobs.enqueue([NewJob(kind: "", queue: .instant)], limits: nil) } throws: { error in
                (error as? SwitchyardError)?.data["field"] == "kind"
            }
        }
    }

    @Test(
        "PostgreSQL wakes a listening process when another enqueues",
        .enabled(if: Backend.postgresURL != nil || Backend.requireAll, "needs PostgreSQL (SWITCHYARD_TEST_POSTGRES_URL)")
    )
    func postgresNotifiesOtherProcesses() async throws {
        try await TestDatabase.with(.postgres) { store, database in
            // The listening process: a store of its own whose wake-ups only its LISTEN feeds.
            let listener = try OpenStore.open(database.location, keys: database.keys, cursors: database.cursors, logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await listener.run() }
                defer { group.cancelAll() }
                // Its listener signals every queue once it listens: from then on, only a
                // notification can wake it.
                let limit = Duration.seconds(20)
                var started = ContinuousClock.now
                await listener.jobs.wakeups.wait(for: .instant, timeout: limit)
                #expect(ContinuousClock.now - started < limit, "the listener did not start within \(limit)")
                started = ContinuousClock.now
                async let woken: Void = listener.jobs.wakeups.wait(for: .instant, timeout: limit)
                _ = try await store.jobs.enqueue([noop(1)], limits: nil)
                await woken
                #expect(ContinuousClock.now - started < limit, "no notification reached the listening process within \(limit)")
            }
        }
    }
}
