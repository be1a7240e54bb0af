import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP

/// The API role's one request pipeline. Every route the API serves (the REST operations, the
/// proxy, the connect flow and the OAuth callback) is registered here and passes through the
/// same chain after the server's own middleware (request id, access log, metrics, errors,
/// request size):
///
/// 1. ``AuthenticationMiddleware``: the token is verified once and the ``Caller`` put in the
///    request context (required for the REST operations and the proxy; optional for the
///    browser connect flow, which may also carry it as `token=`);
/// 2. ``RateLimitMiddleware`` (`ENABLE_LIMITS`): the caller's tenant and workspace rates;
/// 3. ``RequestTimeLimit`` (`MAX_REQUEST_TIME_SECONDS`) around each handler.
///
/// Production (`APIAssembly`) and the API tests build the API through this type alone.
package struct APIPipeline: Sendable {
    /// The REST operations.
    package let routes: APIRoutes
    /// Connections at work, for the connect flow and the proxy; `nil` where a process serves
    /// neither.
    let connections: ConnectionRuntime?
    let authenticator: TokenAuthenticator
    let limits: RateLimitMiddleware?
    let timeLimit: RequestTimeLimit

    /// Builds the pipeline.
    /// - Parameters:
    ///   - limiter: Request-rate limits (`ENABLE_LIMITS`), or `nil`.
    ///   - requestTimeLimit: How long a request may take (`MAX_REQUEST_TIME_SECONDS`).
    ///   - maxResponseBytes: The largest JSON response (`MAX_RESPONSE_SIZE_MB`).
    package init(
        dependencies: APIDependencies, authenticator: TokenAuthenticator, limiter: RequestRateLimiter?, requestTimeLimit: Duration,
        maxResponseBytes: Int
    ) {
        routes = APIRoutes(dependencies: dependencies, maxResponseBytes: maxResponseBytes)
        connections = dependencies.connections
        self.authenticator = authenticator
        limits = limiter.map { RateLimitMiddleware(limiter: $0, workspaces: dependencies.workspaces, tenants: dependencies.tenants) }
        timeLimit = RequestTimeLimit(requestTimeLimit)
    }

    /// The endpoints outside the route table that the pipeline serves, for the OpenAPI document.
    package var endpoints: [OpenAPIDocument.Operational] {
        connections == nil ? [] : ConnectRoutes.endpoints + ProxyRoutes.endpoints
    }

    /// Registers every route, and `GET /openapi.json` with `document`.
    package func register(on router: Router<SwitchyardRequestContext>, document: JSONValue) {
        let api = group(on: router, sources: .header, required: true, failure: .refuse)
        let routes = routes
        let timeLimit = timeLimit
        for route in routes.all {
            api.on(RouterPath(route.routerPath), method: route.method) { request, context in
                try await timeLimit.run { try await routes.respond(route, request: request, context: context) }
            }
        }
        if let connections {
            ProxyRoutes(runtime: connections).register(on: api, timeLimit: timeLimit)
            let browser = group(on: router, sources: [.header, .fields], required: false, failure: .handToRoute)
            ConnectRoutes(runtime: connections).register(on: browser, timeLimit: timeLimit)
        }
        let body = document.jsonText
        router.get("/openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    /// A group of routes behind authentication (with these rules) and the rate limits.
    private func group(
        on router: Router<SwitchyardRequestContext>, sources: AuthenticationMiddleware.TokenSources, required: Bool, failure: AuthenticationMiddleware.Failure
    ) -> RouterGroup<SwitchyardRequestContext> {
        let group = router.group()
        group.add(middleware: AuthenticationMiddleware(authenticator: authenticator, sources: sources, required: required, failure: failure))
        if let limits { group.add(middleware: limits) }
        return group
    }
}
