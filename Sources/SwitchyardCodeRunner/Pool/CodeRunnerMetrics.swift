import Prometheus

/// The code runner's Prometheus series, with the seed's names for the job-space gauges.
package struct CodeRunnerMetrics: Sendable {
    let totalJobSpaces: Gauge
    let remainingJobSpaces: Gauge
    let warmProcesses: Gauge
    let tenantProcesses: Gauge
    private let registry: PrometheusCollectorRegistry

    /// Creates the series in a registry.
    /// - Parameter registry: The code runner endpoint's registry.
    package init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        totalJobSpaces = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "custom_code_runner_total_job_spaces", unitName: "", helpText: "Jobs this runner can run at once."))
        remainingJobSpaces = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "custom_code_runner_remaining_job_spaces", unitName: "", helpText: "Job spaces free right now; scale out when this stays low."))
        warmProcesses = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "custom_code_runner_warm_processes", unitName: "", helpText: "Started sandbox processes not yet assigned to a tenant."))
        tenantProcesses = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "custom_code_runner_tenant_processes", unitName: "", helpText: "Idle sandbox processes assigned to a tenant."))
    }

    /// Records a finished job.
    /// - Parameters:
    ///   - outcome: `ok` or the error kind.
    ///   - duration: Time from acceptance to result.
    func record(outcome: String, duration: Duration) {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "custom_code_runner_jobs_total", unitName: "", helpText: "Jobs finished, by outcome (ok or error type)."), labels: [("outcome", outcome)])
            .increment()
        registry.makeDurationHistogram(descriptor: MetricNameDescriptor(metricName: "custom_code_runner_job_duration_seconds", unitName: "", helpText: "Time from accepting a job to its result, by outcome."), labels: [("outcome", outcome)], buckets: [.milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(120)]).record(duration)
    }
}
