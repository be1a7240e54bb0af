import Logging
import Prometheus
import ServiceLifecycle
import Synchronization
import SwitchyardCore
import SwitchyardStore

/// The orchestrator role. Any number may run; one leads, by holding the `orchestrator` lease
/// row, and renews it every interval. The leader makes due scheduled and retryable jobs
/// available, takes back jobs whose worker stopped renewing their lease, fires schedules
/// (one job per due tick, exactly once however many orchestrators run), and deletes finished
/// jobs and old logs. A leader that stops cleanly hands over at once; one that dies is replaced
/// when its lease expires.
package final class Orchestrator: Service, Sendable {
    /// The lease every orchestrator competes for.
    package static let leaseName = "orchestrator"

    /// This orchestrator's id.
    package let id: String
    private let store: any JobStore
    private let records: (any RecordStore)?
    private let settings: OrchestratorSettings
    private let ready: @Sendable () async -> Void
    private let logger: Logger
    private let leaderGauge: Gauge?
    private let fired: Counter?
    private let state = Mutex<(leading: Bool, lastCleanup: ContinuousClock.Instant?, schedulesSaved: Bool)>((false, nil, false))
    private let stopping = JobWakeups()

    /// The log kinds retention deletes.
    static let logKinds: [RecordKind] = [.actionRunLogs, .externalAPILogs, .nodeRuns, .flowRuns, .appEvents, .externalEvents, .externalEventPulls]

    /// Creates an orchestrator.
    package init(
        id: String, store: any JobStore, records: (any RecordStore)?, settings: OrchestratorSettings, registry: PrometheusCollectorRegistry?,
        ready: @escaping @Sendable () async -> Void, logger: Logger
    ) {
        self.id = id
        self.store = store
        self.records = records
        self.settings = settings
        self.ready = ready
        var logger = logger
        logger[metadataKey: "orchestrator"] = "\(id)"
        self.logger = logger
        leaderGauge = registry?.makeGauge(
            descriptor: MetricNameDescriptor(metricName: "switchyard_orchestrator_leader", unitName: "", helpText: "1 while this orchestrator is the leader, else 0.")
        )
        fired = registry?.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "switchyard_schedule_ticks_fired_total", unitName: "", helpText: "Schedule ticks this orchestrator fired.")
        )
        leaderGauge?.set(to: 0)
    }

    /// Whether this orchestrator leads now.
    package var isLeader: Bool { state.withLock { $0.leading } }

    package func run() async throws {
        // The loop runs apart so a shutdown can cancel a round stuck on an unreachable database.
        let loop = Task {
            await self.ready()
            while !Task.isCancelled, !self.isStopped {
                await self.tick()
                await self.stopping.wait(for: .queued, timeout: self.settings.interval)
            }
        }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                // A round stuck on an unreachable database is cut off a few seconds after a stop.
                while await withTimeLimit(.seconds(1), { await loop.value }) == nil {
                    if self.isStopped || Task.isCancelled {
                        _ = await withTimeLimit(.seconds(3)) { await loop.value }
                        break
                    }
                }
            } onCancel: {
                loop.cancel()
            }
        } onGracefulShutdown: {
            self.stopFlag.withLock { $0 = true }
            self.stopping.signal(.queued)
            loop.cancel()
        }
        if isLeader {
            let store = self.store
            let id = self.id
            _ = await withTimeLimit(.seconds(2)) { try? await store.releaseLease(Self.leaseName, holder: id) }
            setLeading(false)
            logger.info("orchestrator stopped and handed over leadership")
        }
    }

    private let stopFlag = Mutex(false)
    private var isStopped: Bool { stopFlag.withLock { $0 } }

    /// One round: renew or take leadership, then act if leading.
    package func tick() async {
        let leading: Bool
        do {
            leading = try await store.acquireLease(Self.leaseName, holder: id, ttl: settings.leadership)
        } catch {
            logger.warning("cannot reach the database to renew leadership", metadata: ["error": "\(error.message)"])
            return
        }
        setLeading(leading)
        guard leading else { return }
        let now = StoreClock.now()
        do {
            _ = try await store.promoteDue(now: now, limit: 5000)
            let rescued = try await store.rescueExpired(now: now, limit: 5000)
            if rescued > 0 { logger.warning("took back jobs whose worker stopped renewing their lease", metadata: ["count": "\(rescued)"]) }
            try await fireSchedules(now: now)
            try await cleanUpIfDue(now: now)
        } catch {
            logger.warning("orchestrator round failed; retrying next round", metadata: ["error": "\(error.message)"])
        }
    }

    private func setLeading(_ leading: Bool) {
        let changed = state.withLock { state -> Bool in
            defer { state.leading = leading }
            return state.leading != leading
        }
        leaderGauge?.set(to: leading ? 1 : 0)
        if changed { logger.info(leading ? "orchestrator became the leader" : "orchestrator is no longer the leader") }
    }

    private func fireSchedules(now: Int64) async throws(SwitchyardError) {
        if !state.withLock({ $0.schedulesSaved }) {
            let existing = try await store.schedules().map(\.schedule)
            for schedule in settings.builtInSchedules where !existing.contains(schedule) { try await store.saveSchedule(schedule) }
            state.withLock { $0.schedulesSaved = true }
        }
        for stored in try await store.schedules() {
            let ticks: [Int64]
            do {
                ticks = try ScheduleTicks.due(stored, now: now)
            } catch {
                logger.warning("schedule cannot fire", metadata: ["schedule": "\(stored.schedule.name)", "error": "\(error.message)"])
                continue
            }
            for tick in ticks where try await store.fireTick(schedule: stored.schedule.name, tick: tick, job: stored.schedule.job(tick: tick)) {
                fired?.increment()
                logger.debug("schedule fired", metadata: ["schedule": "\(stored.schedule.name)", "tick": "\(tick)"])
            }
        }
    }

    private func cleanUpIfDue(now: Int64) async throws(SwitchyardError) {
        let due = state.withLock { state -> Bool in
            if let last = state.lastCleanup, ContinuousClock.now - last < settings.cleanupInterval { return false }
            state.lastCleanup = .now
            return true
        }
        guard due else { return }
        let cutoffs = settings.jobRetention.mapValues { now - $0.microsecondsValue }
        var deleted = 0
        while true {
            let batch = try await store.deleteFinished(before: cutoffs, limit: 5000)
            deleted += batch
            if batch < 5000 { break }
        }
        var logs = 0
        if let records {
            let cutoff = now - settings.logRetention.microsecondsValue
            for kind in Self.logKinds {
                while true {
                    let batch = try await records.purge(kind, createdBefore: cutoff, limit: 5000)
                    logs += batch
                    if batch < 5000 { break }
                }
            }
        }
        if deleted + logs > 0 { logger.info("retention deleted old jobs and logs", metadata: ["jobs": "\(deleted)", "logs": "\(logs)"]) }
    }
}
