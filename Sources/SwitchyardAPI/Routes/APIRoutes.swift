import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// The REST API: every route in one table, registered on the router with authentication,
/// access checks, body parsing and JSON responses, and described by ``OpenAPIDocument``.
package struct APIRoutes: Sendable {
    /// Every operation.
    package let all: [APIRoute]
    private let authenticator: TokenAuthenticator
    private let maxResponseBytes: Int
    private let requestTimeLimit: Duration
    private let limiter: RequestRateLimiter?
    private let dependencies: APIDependencies

    /// Builds the table.
    /// - Parameter limiter: Request-rate limits (`ENABLE_LIMITS`), or `nil`.
    /// - Parameter requestTimeLimit: How long a request may take (`MAX_REQUEST_TIME_SECONDS`);
    ///   a slower one is stopped and answered 504 `timeout`.
    package init(
        dependencies: APIDependencies, authenticator: TokenAuthenticator, maxResponseBytes: Int = 30 << 20, requestTimeLimit: Duration = .seconds(60),
        limiter: RequestRateLimiter? = nil
    ) {
        all = SelfRoutes.routes(dependencies) + CustomerRoutes.routes(dependencies) + IntegrationRoutes.routes(dependencies)
            + ConnectorRoutes.routes(dependencies) + ConnectorPackageRoutes.routes(dependencies) + ConnectionRoutes.routes(dependencies) + ConnectionRequestRoutes.routes(dependencies) + BackgroundJobRoutes.routes(dependencies)
            + ElementRoutes.routes(dependencies) + ActionRunRoutes.routes(dependencies)
            + FlowRunRoutes.routes(dependencies) + FlowInstanceRoutes.routes(dependencies) + FlowTriggerRoutes.routes(dependencies) + ExternalAPILogRoutes.routes(dependencies)
            + WebhookRoutes.routes(dependencies)
            + PlatformUserRoutes.routes(dependencies)
        self.authenticator = authenticator
        self.maxResponseBytes = maxResponseBytes
        self.requestTimeLimit = requestTimeLimit
        self.limiter = limiter
        self.dependencies = dependencies
    }

    /// Registers every route, and `GET /openapi.json`.
    package func register(on router: Router<SwitchyardRequestContext>, document: JSONValue) {
        for route in all {
            let routes = self
            router.on(RouterPath(route.routerPath), method: route.method) { request, context in
                try await routes.handle(route, request: request, context: context)
            }
        }
        if let connect = dependencies.connect, let sender = dependencies.sender {
            let authenticator = authenticator
            ConnectFlowRoutes(flow: connect, sender: sender) { token throws(SwitchyardError) in try await authenticator.authenticate(token) }.register(on: router)
        }
        let body = document.jsonText
        router.get("/openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    private func handle(_ route: APIRoute, request: Request, context: SwitchyardRequestContext) async throws -> Response {
        let limit = requestTimeLimit
        let outcome = await withTimeLimit(limit) { () async -> Result<Response, any Error> in
            do {
                return .success(try await self.respond(route, request: request, context: context))
            } catch {
                return .failure(error)
            }
        }
        guard let outcome else {
            let text = limit >= .seconds(1) ? "\(limit.components.seconds) s" : "\(limit.components.attoseconds / 1_000_000_000_000_000) ms"
            throw SwitchyardError(.timeout, "the request took longer than its \(text) limit and was stopped", data: ["limit": text])
        }
        return try outcome.get()
    }

    private func respond(_ route: APIRoute, request: Request, context: SwitchyardRequestContext) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw SwitchyardError(.notAuthenticated, "send a token as Authorization: Bearer <token>")
        }
        let caller = try await authenticator.authenticate(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        if let limiter {
            let workspace = try await dependencies.workspaces.workspace(key: caller.workspaceID)
            let tenantRate = caller.tenantID.flatMap { dependencies.tenants.cachedRecord(id: $0) }?.document["limits"]?["requestsPerSecond"]?.numberValue
            try limiter.admit(caller, tenantRate: tenantRate, workspaceRate: workspace.requestsPerSecond)
        }
        if route.access == .admin, !caller.isAdmin {
            throw SwitchyardError(.accessDenied, "\(route.method.rawValue) \(route.path) needs an admin token")
        }
        var body: JSONValue?
        var rawBody: [UInt8]?
        if route.requestSchema != nil {
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            if !route.takesJSON {
                rawBody = Array(buffer.readableBytesView)
            } else if buffer.readableBytes > 0 {
                guard let parsed = try? JSONValue.parse(String(buffer: buffer)) else {
                    throw SwitchyardError(.badRequest, "the request body is not valid JSON")
                }
                body = parsed
            }
        }
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        var parameters: [String: String] = [:]
        for parameter in route.parameters where parameter.location == "path" {
            parameters[parameter.name] = context.parameters.get(parameter.name)?.removingPercentEncoding ?? context.parameters.get(parameter.name)
        }
        let result = try await route.handler(
            APIRequest(caller: caller, pathParameters: parameters, query: query, body: body, rawBody: rawBody, contentType: request.headers[.contentType])
        )
        var headers = HTTPFields()
        let buffer: ByteBuffer
        switch result {
        case .json(let value):
            buffer = ByteBuffer(string: value.jsonText)
            headers[.contentType] = "application/json; charset=utf-8"
        case .file(let bytes, let contentType, let filename):
            buffer = ByteBuffer(bytes: bytes)
            headers[.contentType] = contentType
            headers[.contentDisposition] = "attachment; filename=\"\(filename.filter { $0.isASCII && $0 != "\"" && $0 != "\\" })\""
        }
        guard buffer.readableBytes <= maxResponseBytes else {
            throw SwitchyardError(.tooLarge, "the response would be larger than \(maxResponseBytes >> 20) MB; ask for a smaller page")
        }
        return Response(status: .init(code: route.successStatus), headers: headers, body: .init(byteBuffer: buffer))
    }
}
