import Hummingbird
import Prometheus

/// Counts requests and times them, labelled by method, matched route pattern and status.
///
/// The route label is the pattern (`/connections/{id}`), never the raw path, so the number of
/// series stays bounded; requests that match no route are labelled `unmatched`.
package struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let registry: PrometheusCollectorRegistry

    /// Creates the middleware.
    /// - Parameter registry: The registry the counters and histograms live in.
    package init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    package func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let route = context.endpointPath ?? "unmatched"
            let labels = [("method", request.method.rawValue), ("route", route), ("status", String(status))]
            registry.makeCounter(descriptor: requestsTotal, labels: labels).increment()
            registry.makeDurationHistogram(
                descriptor: requestDuration,
                labels: [("method", request.method.rawValue), ("route", route)],
                buckets: httpDurationBuckets
            ).recordNanoseconds((ContinuousClock.now - start).nanoseconds)
        }
        let response = try await next(request, context)
        status = response.status.code
        return response
    }

}

private var requestsTotal: MetricNameDescriptor {
    MetricNameDescriptor(metricName: "http_requests_total", unitName: "", helpText: "HTTP requests served, by method, route and status.")
}
private var requestDuration: MetricNameDescriptor {
    MetricNameDescriptor(metricName: "http_request_duration_seconds", unitName: "", helpText: "Time to produce the response head, by method and route.")
}

/// Bucket bounds for request durations: 0.5 ms to 10 s.
private let httpDurationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
]

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
