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
    /// The connect flows; `nil` where a process serves none.
    let connect: ConnectFlow?
    /// Requests as a connection, for the proxy; `nil` where a process serves none.
    let sender: ConnectionSender?
    /// Provider webhooks of data sources; `nil` where a process serves none.
    let subscriptions: ExternalEventSubscriptions?
    let authenticator: TokenAuthenticator
    let limits: RateLimitMiddleware?
    let timeLimit: RequestTimeLimit
    /// App event types' webhook addresses, which need no token.
    let appEvents: AppEventWebhook

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
        connect = dependencies.connect
        sender = dependencies.sender
        subscriptions = dependencies.subscriptions
        self.authenticator = authenticator
        limits = limiter.map { RateLimitMiddleware(limiter: $0, workspaces: dependencies.workspaces, tenants: dependencies.tenants) }
        timeLimit = RequestTimeLimit(requestTimeLimit)
        appEvents = AppEventWebhook(
            intake: AppEventIntake(records: dependencies.records, workspaces: dependencies.workspaces, launcher: dependencies.flowLauncher))
    }

    /// Answers a REST operation in process (the console in an api process), under the same
    /// time limit as over HTTP. The caller is the one the in-process client vouches for.
    package func call(_ call: InProcessCall, caller: Caller) async throws(SwitchyardError) -> (status: Int, result: APIResult) {
        let routes = routes
        return try await timeLimit.run { () async throws(SwitchyardError) in try await routes.call(call, caller: caller) }
    }

    /// The endpoints outside the route table that the pipeline serves, for the OpenAPI document.
    package var endpoints: [OpenAPIDocument.Operational] {
        (connect == nil ? [] : ConnectRoutes.endpoints) + (sender == nil ? [] : ProxyRoutes.endpoints) + EmbeddingRoutes.endpoints
            + (subscriptions == nil ? [] : ExternalEventWebhookRoutes.endpoints) + AppEventWebhook.endpoints
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
        if let sender {
            ProxyRoutes(sender: sender).register(on: api, timeLimit: timeLimit)
        }
        if let connect {
            let browser = group(on: router, sources: [.header, .fields], required: false, failure: .handToRoute)
            ConnectRoutes(flow: connect).register(on: browser, timeLimit: timeLimit)
        }
        let open = group(on: router, sources: .header, required: false, failure: .handToRoute)
        EmbeddingRoutes(directory: authenticator.directory).register(on: open, timeLimit: timeLimit)
        if let subscriptions { ExternalEventWebhookRoutes(subscriptions: subscriptions).register(on: open, timeLimit: timeLimit) }
        appEvents.register(on: open, timeLimit: timeLimit)
        let body = document.jsonText
        router.get("/openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    /// A group of routes behind authentication (with these rules) and the rate limits.
    private func group(
        on router: Router<SwitchyardRequestContext>, sources: AuthenticationMiddleware.TokenSources, required: Bool,
        failure: AuthenticationMiddleware.Failure
    ) -> RouterGroup<SwitchyardRequestContext> {
        let group = router.group()
        group.add(middleware: AuthenticationMiddleware(authenticator: authenticator, sources: sources, required: required, failure: failure))
        if let limits { group.add(middleware: limits) }
        return group
    }
}
