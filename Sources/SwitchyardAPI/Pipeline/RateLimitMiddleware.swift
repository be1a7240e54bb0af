import Hummingbird
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// Request-rate limits (`ENABLE_LIMITS`) for every authenticated request: the caller's tenant
/// and workspace buckets, at the rates their records set or the configured defaults. Requests
/// without a caller (the OAuth callback, a connection request's link) are not counted.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = SwitchyardRequestContext

    let limiter: RequestRateLimiter
    let workspaces: WorkspaceDirectory
    let tenants: TenantDirectory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let caller = context.caller {
            let workspace = try await workspaces.workspace(key: caller.workspaceID)
            let tenantRate = caller.tenantID.flatMap { tenants.cachedRecord(id: $0) }?.document["limits"]?["requestsPerSecond"]?.numberValue
            try limiter.admit(caller, tenantRate: tenantRate, workspaceRate: workspace.requestsPerSecond)
        }
        return try await next(request, context)
    }
}
