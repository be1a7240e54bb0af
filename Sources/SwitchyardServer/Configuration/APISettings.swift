/// The REST API's limits (`TOKEN_MAX_LIFETIME_SECONDS`, `MAX_RESPONSE_SIZE_MB`).
package struct APISettings: Sendable, Equatable {
    /// Tenant and workspace admin tokens valid for longer than this are refused.
    package var tokenMaxLifetime: Duration
    /// Largest response body.
    package var maxResponseBytes: Int

    /// Reads the settings.
    package init(env: inout EnvironmentReader) {
        tokenMaxLifetime = .seconds(env.int("TOKEN_MAX_LIFETIME_SECONDS", default: 86_400, in: 60...31_536_000))
        maxResponseBytes = env.int("MAX_RESPONSE_SIZE_MB", default: 30, in: 1...1024) << 20
    }
}
