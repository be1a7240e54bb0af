import Logging
import ServiceLifecycle
import SwitchyardCore
import SwitchyardStore
import Synchronization

/// Fetches jobs of one queue and runs them, holding each under a lease it renews by heartbeat.
///
/// Completions are written in batches (whatever finished while the previous batch was being
/// written), failures retry with ``JobBackoff``, and a job whose lease the worker lost (an
/// operator cancelled it, or it was rescued after a stall) is stopped. On graceful shutdown the
/// worker stops fetching, lets running jobs finish for `shutdownGrace`, then gives the rest back.
package final class JobWorker: Service, Sendable {
    private struct Running {
        /// Runs the handler; cancelled when the job is lost or the worker gives up waiting.
        var attempt: Task<JobResult, Never>
        /// Runs the attempt and records its result (never cancelled, so results are written).
        var lifecycle: Task<Void, Never>
        var slot: Int
        var deadline: ContinuousClock.Instant?
        var lost = false
        var timedOut = false
    }

    private struct State {
        var running: [Int64: Running] = [:]
        var freeSlots: [Int]
        var stopping = false
        var finished = false
        var fetching: Task<Void, Never>?
        var completions: [Int64] = []
    }

    /// This worker's id (recorded on the jobs it holds).
    package let id: String
    private let store: any JobStore
    private let execution: any JobExecution
    private let settings: JobWorkerSettings
    private let metrics: WorkerMetrics?
    private let ready: @Sendable () async -> Void
    private let logger: Logger
    private let state: Mutex<State>
    private let slotFreed = JobWakeups()
    private let completionsWaiting = JobWakeups()
    private let finishing = JobWakeups()

    /// Creates a worker.
    /// - Parameters:
    ///   - id: A unique worker id.
    ///   - store: The job queue.
    ///   - execution: Where handlers run.
    ///   - settings: Queue, concurrency, lease, limits.
    ///   - metrics: Its series, if exported.
    ///   - ready: Returns once the database is usable (the health checks passed).
    ///   - logger: Where it logs.
    package init(
        id: String, store: any JobStore, execution: any JobExecution, settings: JobWorkerSettings, metrics: WorkerMetrics?,
        ready: @escaping @Sendable () async -> Void, logger: Logger
    ) {
        self.id = id
        self.store = store
        self.execution = execution
        self.settings = settings
        self.metrics = metrics
        self.ready = ready
        var logger = logger
        logger[metadataKey: "worker"] = "\(id)"
        self.logger = logger
        state = Mutex(State(freeSlots: Array((0..<settings.concurrency).reversed())))
    }

    package func run() async throws {
        // A graceful shutdown stops the worker; so does cancellation (the service group cancels
        // every service when one fails, for example a start-up check that gave up). Without the
        // cancellation handler a worker still waiting for readiness would wait forever, and the
        // process with it.
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await self.work()
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            self.stop()
        }
    }

    /// Waits for readiness, then fetches and runs jobs until stopped; then drains.
    private func work() async {
        // Waiting for the database can be cut short by a shutdown, like fetching.
        let ready = self.ready
        let readying = Task { await ready() }
        if state.withLock({ state -> Bool in
            state.fetching = readying
            return state.stopping
        }) {
            readying.cancel()
        }
        await readying.value
        guard !isStopping else { return }
        logger.info("job worker started", metadata: ["queue": "\(settings.queue.rawValue)", "concurrency": "\(settings.concurrency)"])
        let heartbeats = Task { await self.heartbeats() }
        let completer = Task { await self.completer() }
        let deadlines = self.execution.timeLimit.map { limit in Task { await self.enforceDeadlines(limit) } }
        // Fetching runs apart so stopping can cancel a fetch stuck on an unreachable database.
        let fetching = Task { await self.fetchLoop() }
        let stopped = self.state.withLock { state -> Bool in
            state.fetching = fetching
            return state.stopping
        }
        if stopped { fetching.cancel() }
        await fetching.value
        await self.drain()
        self.state.withLock { $0.finished = true }
        self.completionsWaiting.signal(self.settings.queue)
        self.finishing.signal(self.settings.queue)
        // Give the last completions a few seconds, then stop whatever still waits on the
        // database (it may be gone; the leases cover anything unwritten).
        _ = await withTimeLimit(.seconds(5)) { await completer.value }
        for task in [heartbeats, completer] + (deadlines.map { [$0] } ?? []) { task.cancel() }
        _ = await withTimeLimit(.seconds(1)) { await heartbeats.value }
        let store = self.store
        let id = self.id
        _ = await withTimeLimit(.seconds(2)) { try? await store.removeWorker(id) }
        logger.info("job worker stopped")
    }

    /// Stops fetching; running jobs get `shutdownGrace` to finish.
    package func stop() {
        let fetching = state.withLock { state in
            state.stopping = true
            return state.fetching
        }
        fetching?.cancel()
        slotFreed.signal(settings.queue)
        store.wakeups.signal(settings.queue)
    }

    private var isStopping: Bool { state.withLock { $0.stopping } || Task.isCancelled }

    /// How many times a result write is tried: through about a minute of database outage
    /// normally, a few seconds once the worker is stopping (the lease covers the rest).
    private var writeAttempts: Int { state.withLock { $0.stopping } ? 4 : 40 }

    // MARK: Fetching

    private func fetchLoop() async {
        var failures = 0
        while !isStopping {
            let free = state.withLock { $0.freeSlots.count }
            if free == 0 {
                await slotFreed.wait(for: settings.queue, timeout: settings.pollInterval)
                continue
            }
            let jobs: [Job]
            do {
                jobs = try await store.fetch(queue: settings.queue, worker: id, limit: free, lease: settings.lease, limits: settings.limits)
                failures = 0
            } catch {
                failures += 1
                if failures == 1 || failures % 20 == 0 { logger.warning("cannot fetch jobs; retrying", metadata: ["error": "\(error.message)"]) }
                try? await Task.sleep(for: .milliseconds(min(100 << min(failures, 6), 5000)))
                continue
            }
            if jobs.isEmpty {
                await store.wakeups.wait(for: settings.queue, timeout: settings.pollInterval)
                continue
            }
            for job in jobs { start(job) }
        }
    }

    private func start(_ job: Job) {
        metrics?.started()
        state.withLock { state in
            let slot = state.freeSlots.popLast() ?? 0
            let attempt = Task { await self.execution.execute(job, slot: slot) }
            let lifecycle = Task {
                let began = ContinuousClock.now
                var result = await attempt.value
                if self.state.withLock({ $0.running[job.id]?.timedOut ?? false }) {
                    result = .failed("timeout: the job ran longer than its \(self.execution.timeLimit ?? .zero) limit and was stopped", discard: true)
                }
                self.metrics?.finished(result, after: ContinuousClock.now - began)
                await self.record(job, result)
                self.state.withLock { state in
                    if let entry = state.running.removeValue(forKey: job.id) { state.freeSlots.append(entry.slot) }
                }
                self.slotFreed.signal(self.settings.queue)
            }
            let deadline = execution.timeLimit.map { ContinuousClock.now + $0 }
            state.running[job.id] = Running(attempt: attempt, lifecycle: lifecycle, slot: slot, deadline: deadline)
        }
    }

    // MARK: Recording results

    private func record(_ job: Job, _ result: JobResult) async {
        let now = StoreClock.now()
        switch result {
        case .completed:
            state.withLock { $0.completions.append(job.id) }
            completionsWaiting.signal(settings.queue)
        case .failed(let message, let discard):
            if !discard, job.attempt < job.maxAttempts {
                logger.info(
                    "job attempt failed; will retry",
                    metadata: ["job.id": "\(job.id)", "job.kind": "\(job.kind)", "attempt": "\(job.attempt)", "error": "\(message)"])
            } else {
                logger.warning(
                    "job failed for good",
                    metadata: ["job.id": "\(job.id)", "job.kind": "\(job.kind)", "attempt": "\(job.attempt)", "error": "\(message)"])
            }
            let retryAt = now + JobBackoff.delay(afterAttempt: job.attempt).microsecondsValue
            await persist("record a failure") {
                try await self.store.fail(job.id, worker: self.id, error: message, retryAt: retryAt, discard: discard)
            }
        case .snoozed(let delay):
            await persist("snooze a job") { try await self.store.snooze(job.id, worker: self.id, until: now + delay.microsecondsValue) }
        case .cancelled(let reason):
            await persist("cancel a job") { try await self.store.cancel(job.id, worker: self.id, reason: reason) }
        case .released:
            let lost = state.withLock { $0.running[job.id]?.lost ?? false }
            if !lost { await persist("give a job back") { try await self.store.release([job.id], worker: self.id) } }
        }
    }

    private func completer() async {
        while true {
            if Task.isCancelled { return }
            let (batch, finished) = state.withLock { state -> ([Int64], Bool) in
                defer { state.completions.removeAll(keepingCapacity: true) }
                return (state.completions, state.finished)
            }
            if batch.isEmpty {
                if finished { return }
                await completionsWaiting.wait(for: settings.queue, timeout: .seconds(1))
                continue
            }
            await persist("record completions") { try await self.store.complete(batch, worker: self.id) }
        }
    }

    /// Retries a store write through a database outage (up to about a minute). If it never
    /// succeeds the job's lease runs out and the orchestrator hands it out again: nothing is lost.
    private func persist<T>(_ what: String, _ write: @Sendable () async throws -> T) async {
        var attempt = 0
        while true {
            do {
                _ = try await write()
                return
            } catch {
                let message = (error as? SwitchyardError)?.message ?? "\(error)"
                attempt += 1
                if attempt == 1 { logger.warning("cannot \(what); retrying", metadata: ["error": "\(message)"]) }
                if attempt >= writeAttempts || Task.isCancelled {
                    logger.error("gave up trying to \(what); the lease will expire and the job run again", metadata: ["error": "\(message)"])
                    return
                }
                try? await Task.sleep(for: .milliseconds(min(50 << min(attempt, 7), 3000)))
            }
        }
    }

    // MARK: Leases

    private func heartbeats() async {
        let interval = settings.lease / 3
        while true {
            let (ids, finished, busy) = state.withLock { state in (Array(state.running.keys), state.finished, !state.running.isEmpty) }
            if finished || Task.isCancelled { return }
            metrics?.sample()
            if !ids.isEmpty {
                do {
                    let held = try await store.heartbeat(ids, worker: id, lease: settings.lease)
                    let lost = Set(ids).subtracting(held)
                    if !lost.isEmpty { loseJobs(lost) }
                } catch {
                    logger.warning("cannot renew job leases", metadata: ["error": "\(error.message)"])
                }
            }
            try? await store.recordWorker(id, queue: settings.queue, busy: busy)
            await finishing.wait(for: settings.queue, timeout: interval)
        }
    }

    private func loseJobs(_ ids: Set<Int64>) {
        let tasks = state.withLock { state -> [Task<JobResult, Never>] in
            var tasks: [Task<JobResult, Never>] = []
            for id in ids {
                guard var entry = state.running[id] else { continue }
                entry.lost = true
                state.running[id] = entry
                tasks.append(entry.attempt)
            }
            return tasks
        }
        if !tasks.isEmpty {
            logger.warning(
                "jobs were taken from this worker (cancelled, or their lease expired); stopping them", metadata: ["jobs": "\(ids.sorted())"])
        }
        for task in tasks { task.cancel() }
    }

    /// Cancels attempts that outlive the execution's time limit (one loop for all jobs, rather
    /// than a timer per job).
    private func enforceDeadlines(_ limit: Duration) async {
        let interval = min(max(limit / 20, .milliseconds(10)), .milliseconds(250))
        while true {
            let (overdue, finished) = state.withLock { state -> ([Task<JobResult, Never>], Bool) in
                let now = ContinuousClock.now
                var overdue: [Task<JobResult, Never>] = []
                for (id, entry) in state.running where !entry.timedOut && !entry.lost {
                    guard let deadline = entry.deadline, deadline < now else { continue }
                    state.running[id]?.timedOut = true
                    overdue.append(entry.attempt)
                }
                return (overdue, state.finished)
            }
            if finished { return }
            for attempt in overdue { attempt.cancel() }
            await finishing.wait(for: settings.queue, timeout: interval)
        }
    }

    // MARK: Shutdown

    private func drain() async {
        // A cancelled worker (the process is failing) gives its jobs back at once.
        let deadline = ContinuousClock.now + settings.shutdownGrace
        while state.withLock({ !$0.running.isEmpty }), ContinuousClock.now < deadline, !Task.isCancelled {
            await slotFreed.wait(for: settings.queue, timeout: .milliseconds(100))
        }
        let leftovers = state.withLock { $0.running.values.map { ($0.attempt, $0.lifecycle) } }
        if !leftovers.isEmpty { logger.info("giving back jobs still running at shutdown", metadata: ["count": "\(leftovers.count)"]) }
        for (attempt, _) in leftovers { attempt.cancel() }
        for (_, lifecycle) in leftovers { await lifecycle.value }
    }
}

extension Duration {
    /// Whole microseconds.
    var microsecondsValue: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
