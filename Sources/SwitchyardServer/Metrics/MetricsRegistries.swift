import Foundation
import Prometheus
import SwitchyardCore

/// The Prometheus registries of one process.
///
/// Process-wide series (HTTP requests, memory, build info) live in ``shared`` and appear on
/// every metrics endpoint; each endpoint adds its own role's registry. Every series is created
/// with a `# HELP` line, which `promtool check metrics` requires.
package struct MetricsRegistries: Sendable {
    /// Series about the whole process: HTTP traffic, memory, start time, build.
    package let shared: PrometheusCollectorRegistry
    /// Each endpoint's own series.
    package let byEndpoint: [MetricsEndpoint: PrometheusCollectorRegistry]

    private let residentMemory: Gauge

    /// Creates the registries and the process-wide series.
    package init() {
        let shared = PrometheusCollectorRegistry()
        self.shared = shared
        var byEndpoint: [MetricsEndpoint: PrometheusCollectorRegistry] = [:]
        for endpoint in MetricsEndpoint.allCases { byEndpoint[endpoint] = PrometheusCollectorRegistry() }
        self.byEndpoint = byEndpoint
        residentMemory = shared.makeGauge(descriptor: MetricNameDescriptor(metricName: "process_resident_memory_bytes", unitName: "", helpText: "Resident memory size in bytes."))
        shared.makeGauge(descriptor: MetricNameDescriptor(metricName: "process_start_time_seconds", unitName: "", helpText: "Start time of the process since the Unix epoch, in seconds."))
            .set(to: Date().timeIntervalSince1970)
        shared.makeGauge(descriptor: MetricNameDescriptor(metricName: "switchyard_build_info", unitName: "", helpText: "Always 1; the label carries the running version."), labels: [("version", SwitchyardVersion.current)]).set(to: 1.0)
    }

    /// Renders the text exposition for an endpoint.
    /// - Parameter endpoint: The endpoint being scraped.
    /// - Returns: Prometheus text format 0.0.4.
    package func exposition(for endpoint: MetricsEndpoint) -> String {
        if let bytes = ProcessMemory.residentBytes() { residentMemory.set(to: Double(bytes)) }
        var buffer: [UInt8] = []
        shared.emit(into: &buffer)
        byEndpoint[endpoint]?.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
