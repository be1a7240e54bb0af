import SwitchyardCore
import SwitchyardEngine

/// The REST API's limits (`TOKEN_MAX_LIFETIME_SECONDS`, `MAX_RESPONSE_SIZE_MB`, `MAX_REQUEST_TIME_SECONDS`, rates).
package struct APISettings: Sendable, Equatable {
    /// Tenant and workspace admin tokens valid for longer than this are refused.
    package var tokenMaxLifetime: Duration
    /// Largest response body.
    package var maxResponseBytes: Int
    /// Requests per second per customer under `ENABLE_LIMITS`, whole deployment.
    package var tenantRequestsPerSecond: Int
    /// Requests per second per workspace under `ENABLE_LIMITS`, whole deployment.
    package var workspaceRequestsPerSecond: Int
    /// How many API processes share the limits (each enforces its share).
    package var apiProcesses: Int
    /// How long one API request may take before it is stopped with 504 `timeout`.
    package var requestTimeLimit: Duration
    /// Which private or loopback networks outbound requests may reach (`OUTBOUND_ALLOWED_NETWORKS`).
    package var outboundPolicy: AddressPolicy

    /// Reads the settings.
    package init(env: inout EnvironmentReader) {
        tokenMaxLifetime = .seconds(env.int("TOKEN_MAX_LIFETIME_SECONDS", default: 86_400, in: 60...31_536_000))
        maxResponseBytes = env.int("MAX_RESPONSE_SIZE_MB", default: 30, in: 1...1024) << 20
        tenantRequestsPerSecond = env.int("RATE_LIMIT_CUSTOMER_REQUESTS_PER_SECOND", default: 50, in: 1...1_000_000)
        workspaceRequestsPerSecond = env.int("RATE_LIMIT_WORKSPACE_REQUESTS_PER_SECOND", default: 1000, in: 1...10_000_000)
        apiProcesses = env.int("API_PROCESSES", default: 1, in: 1...1000)
        requestTimeLimit = .seconds(env.int("MAX_REQUEST_TIME_SECONDS", default: 60, in: 1...3600))
        outboundPolicy = AddressPolicy()
        if let text = env.string("OUTBOUND_ALLOWED_NETWORKS") {
            do throws(SwitchyardError) {
                outboundPolicy = try AddressPolicy(allowedNetworksText: text)
            } catch {
                env.report("OUTBOUND_ALLOWED_NETWORKS", error.message)
            }
        }
    }
}
