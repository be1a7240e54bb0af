import Prometheus
import Synchronization
import SwitchyardStore

/// A worker's series: how busy it is, what finished, how long it took.
package final class WorkerMetrics: Sendable {
    private let active: Gauge
    private let utilization: Gauge
    private let busyFlag: Gauge?
    private let finished: [String: Counter]
    private let duration: DurationHistogram
    private let capacity: Int
    /// Slot-seconds spent running jobs since the last sample, and when that was.
    private let busy = Mutex<(running: Int, since: ContinuousClock.Instant, slotNanos: Double, windowStart: ContinuousClock.Instant)>(
        (0, .now, 0, .now)
    )

    /// Creates the series of one worker on a registry (the worker role's endpoint).
    package init(queue: JobQueueName, worker: String, capacity: Int, registry: PrometheusCollectorRegistry) {
        self.capacity = capacity
        let prefix = queue == .instant ? "instant_tasks" : "queued_tasks"
        let labels = [("worker", worker)]
        active = registry.makeGauge(
            descriptor: MetricNameDescriptor(metricName: "switchyard_worker_jobs_running", unitName: "", helpText: "Jobs this worker is running now."),
            labels: labels + [("queue", queue.rawValue)]
        )
        utilization = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "\(prefix)_worker_utilization_rate", unitName: "",
                helpText: "Value (0.0-1.0): the share of the last sampling window the worker spent processing tasks."
            ),
            labels: labels
        )
        busyFlag = queue == .queued
            ? registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    metricName: "queued_tasks_worker_busy", unitName: "", helpText: "1 if the worker is processing a task from the queued-tasks queue, 0 if it is free."
                ),
                labels: labels
            ) : nil
        var finished: [String: Counter] = [:]
        for outcome in ["completed", "failed", "snoozed", "cancelled", "released"] {
            finished[outcome] = registry.makeCounter(
                descriptor: MetricNameDescriptor(metricName: "switchyard_jobs_finished_total", unitName: "", helpText: "Job attempts this worker finished, by outcome."),
                labels: [("queue", queue.rawValue), ("outcome", outcome)]
            )
        }
        self.finished = finished
        duration = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "switchyard_job_duration_seconds", unitName: "", helpText: "How long job attempts ran, in seconds."),
            labels: [("queue", queue.rawValue)],
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10), .seconds(60), .seconds(600)]
        )
        busyFlag?.set(to: 0)
        utilization.set(to: 0)
    }

    /// A job started.
    package func started() { change(by: 1) }

    /// A job ended with an outcome after running this long.
    package func finished(_ result: JobResult, after elapsed: Duration) {
        change(by: -1)
        let outcome = switch result {
        case .completed: "completed"
        case .failed: "failed"
        case .snoozed: "snoozed"
        case .cancelled: "cancelled"
        case .released: "released"
        }
        finished[outcome]?.increment()
        duration.record(elapsed)
    }

    /// Publishes the utilization of the window since the last call.
    package func sample() {
        let rate = busy.withLock { state -> Double in
            let now = ContinuousClock.now
            state.slotNanos += Double(state.running) * Double((now - state.since).nanoseconds)
            state.since = now
            let window = Double((now - state.windowStart).nanoseconds) * Double(capacity)
            state.windowStart = now
            let rate = window > 0 ? state.slotNanos / window : 0
            state.slotNanos = 0
            return min(max(rate, 0), 1)
        }
        utilization.set(to: rate)
    }

    private func change(by delta: Int) {
        let running = busy.withLock { state -> Int in
            let now = ContinuousClock.now
            state.slotNanos += Double(state.running) * Double((now - state.since).nanoseconds)
            state.since = now
            state.running += delta
            return state.running
        }
        active.set(to: Double(running))
        busyFlag?.set(to: running > 0 ? 1 : 0)
    }
}

extension Duration {
    /// Whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
