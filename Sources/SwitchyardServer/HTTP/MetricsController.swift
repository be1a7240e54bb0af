import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardHTTP

/// Serves the Prometheus endpoints of the roles this process runs.
struct MetricsController {
    let registries: MetricsRegistries

    func register(on router: Router<SwitchyardRequestContext>, roles: RoleSelection) {
        for endpoint in MetricsEndpoint.allCases where roles.roles.contains(endpoint.role) {
            router.get(RouterPath(endpoint.rawValue)) { _, _ in
                var headers = HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
                return Response(
                    status: .ok,
                    headers: headers,
                    body: .init(byteBuffer: ByteBuffer(string: registries.exposition(for: endpoint)))
                )
            }
        }
    }
}
