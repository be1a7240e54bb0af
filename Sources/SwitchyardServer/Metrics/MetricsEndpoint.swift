/// The seed's Prometheus endpoints, one per role that has metrics of its own.
package enum MetricsEndpoint: String, Sendable, CaseIterable {
    /// The API's metrics, including the queue gauges the seed's autoscaling reads.
    case api = "/prometheus"
    /// The instant tasks worker's metrics.
    case instantTasks = "/prometheus/instant-tasks"
    /// The queued tasks worker's metrics.
    case queuedTasks = "/prometheus/queued-tasks"
    /// The custom code runner's metrics.
    case codeRunner = "/api/v2/prometheus"

    /// The role whose presence exposes this endpoint.
    package var role: Role {
        switch self {
        case .api: .api
        case .instantTasks: .instantWorker
        case .queuedTasks: .queuedWorker
        case .codeRunner: .codeRunner
        }
    }
}
