import Logging
import Prometheus
import ServiceLifecycle
import SwitchyardCore
import SwitchyardStore

/// Publishes the queue-wide series the seed puts on the API's `/prometheus`: instant jobs
/// active and waiting, queued workers alive and required (under the limits), and job counts by
/// queue and state. Reads the database every `interval`.
package final class QueueStatsSampler: Service, Sendable {
    private let store: any JobStore
    private let limits: JobLimitSettings?
    private let interval: Duration
    private let workerTimeout: Duration
    private let slotsPerWorker: Int
    private let ready: @Sendable () async -> Void
    private let logger: Logger
    private let instantActive: Gauge
    private let instantWaiting: Gauge
    private let queuedWorkers: Gauge
    private let queuedRequired: Gauge
    private let byState: [JobQueueName: [JobState: Gauge]]

    /// Creates the sampler and its series on a registry.
    /// - Parameter slotsPerWorker: Jobs one queued-tasks worker runs at once
    ///   (`QUEUED_TASKS_WORKER_CONCURRENCY`): the required workers are the jobs that could run
    ///   now, divided by it, rounded up.
    package init(
        store: any JobStore, limits: JobLimitSettings?, interval: Duration, workerTimeout: Duration, slotsPerWorker: Int = 1,
        registry: PrometheusCollectorRegistry, ready: @escaping @Sendable () async -> Void, logger: Logger
    ) {
        self.store = store
        self.limits = limits
        self.interval = interval
        self.workerTimeout = workerTimeout
        self.slotsPerWorker = max(slotsPerWorker, 1)
        self.ready = ready
        self.logger = logger
        func gauge(_ name: String, _ help: String) -> Gauge {
            let gauge = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help))
            gauge.set(to: 0)
            return gauge
        }
        instantActive = gauge("instant_tasks_jobs_active", "Number of jobs currently processed by instant-tasks-workers.")
        instantWaiting = gauge("instant_tasks_jobs_waiting", "Number of jobs waiting for processing by instant-tasks-workers.")
        queuedWorkers = gauge("queued_tasks_workers", "Current number of running queued-tasks-workers.")
        queuedRequired = gauge(
            "queued_tasks_workers_required", "Maximum number of workers required to process all tasks from the queued-tasks queue, respecting workspace and connection limits."
        )
        var byState: [JobQueueName: [JobState: Gauge]] = [:]
        for queue in JobQueueName.allCases {
            for state in JobState.allCases {
                let gauge = registry.makeGauge(
                    descriptor: MetricNameDescriptor(metricName: "switchyard_jobs", unitName: "", helpText: "Jobs in the database, by queue and state."),
                    labels: [("queue", queue.rawValue), ("state", state.rawValue)]
                )
                gauge.set(to: 0)
                byState[queue, default: [:]][state] = gauge
            }
        }
        self.byState = byState
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.ready()
            while !Task.isCancelled {
                await self.sample()
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// Reads the database once and updates the series.
    package func sample() async {
        do {
            let now = StoreClock.now()
            let counts = try await store.counts(now: now)
            instantActive.set(to: Double(counts.count(.instant, .running)))
            instantWaiting.set(to: Double(counts.waiting[.instant] ?? 0))
            for (queue, states) in byState {
                for (state, gauge) in states { gauge.set(to: Double(counts.count(queue, state))) }
            }
            queuedWorkers.set(to: Double(try await store.liveWorkers(queue: .queued, since: now - workerTimeout.microsecondsValue)))
            let runnable = try await store.requiredQueuedWorkers(limits: limits)
            queuedRequired.set(to: Double((runnable + slotsPerWorker - 1) / slotsPerWorker))
        } catch {
            logger.debug("cannot sample job queue statistics", metadata: ["error": "\(error.message)"])
        }
    }
}
