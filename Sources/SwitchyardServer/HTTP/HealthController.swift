import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardHTTP

/// `GET /` on every role: 200 with the health report once ready, 503 naming the failing
/// check otherwise. `?wait=MS` (at most 60000) holds the request until the process is ready
/// or the time passes, so deploy scripts can wait without a polling loop.
struct HealthController {
    let monitor: HealthMonitor

    /// The longest `wait` accepted, in milliseconds.
    static let maxWaitMilliseconds = 60_000

    func register(on router: Router<SwitchyardRequestContext>, paths: [String]) {
        for path in paths {
            router.get(RouterPath(path)) { request, _ in try await self.health(request) }
        }
    }

    func health(_ request: Request) async throws -> Response {
        var report = monitor.report
        if let raw = request.uri.queryParameters["wait"] {
            guard let wait = Int(String(raw)), (0...Self.maxWaitMilliseconds).contains(wait) else {
                throw SwitchyardError(.badRequest, "wait must be a whole number of milliseconds from 0 to \(Self.maxWaitMilliseconds)", data: ["field": "wait"])
            }
            if !report.isReady {
                report = await monitor.waitForReady(timeout: .milliseconds(wait))
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(
            status: report.isReady ? .ok : .serviceUnavailable,
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(report)))
        )
    }
}
