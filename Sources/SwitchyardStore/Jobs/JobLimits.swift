/// Caps on queued-queue work, as set on a workspace or tenant. `nil` inherits (tenant from
/// workspace, workspace from the defaults).
package struct JobLimits: Sendable, Equatable, Codable {
    /// Most running jobs per connection.
    package var runningPerConnection: Int?
    /// Most running jobs per tenant.
    package var runningPerTenant: Int?
    /// Most waiting jobs per connection; enqueueing beyond is refused.
    package var queuePerConnection: Int?

    /// Creates limits.
    package init(runningPerConnection: Int? = nil, runningPerTenant: Int? = nil, queuePerConnection: Int? = nil) {
        self.runningPerConnection = runningPerConnection
        self.runningPerTenant = runningPerTenant
        self.queuePerConnection = queuePerConnection
    }

    /// Whether nothing is set.
    package var isEmpty: Bool { runningPerConnection == nil && runningPerTenant == nil && queuePerConnection == nil }

    /// These limits, with unset fields taken from `fallback`.
    package func over(_ fallback: JobLimits) -> JobLimits {
        JobLimits(
            runningPerConnection: runningPerConnection ?? fallback.runningPerConnection,
            runningPerTenant: runningPerTenant ?? fallback.runningPerTenant,
            queuePerConnection: queuePerConnection ?? fallback.queuePerConnection
        )
    }
}

/// The limits in force when `ENABLE_LIMITS` is on.
package struct JobLimitSettings: Sendable, Equatable {
    /// What applies where no workspace or tenant sets otherwise.
    package var defaults: JobLimits

    /// The reference system's defaults: one running flow run per connection, 10,000 waiting
    /// per connection, no per-tenant cap beyond fair turns.
    package static let standard = JobLimitSettings(defaults: JobLimits(runningPerConnection: 1, runningPerTenant: nil, queuePerConnection: 10_000))

    /// Creates settings.
    package init(defaults: JobLimits) { self.defaults = defaults }
}

/// Looks up effective limits from the rows stored per workspace and tenant.
package struct JobLimitTable: Sendable {
    /// Rows by workspace id and tenant id (`""` for the workspace's own row).
    package var rows: [String: [String: JobLimits]]
    /// The defaults.
    package var settings: JobLimitSettings

    /// The limits in force for a tenant of a workspace.
    package func effective(workspaceID: String, tenantID: String) -> JobLimits {
        let workspace = (rows[workspaceID]?[""] ?? JobLimits()).over(settings.defaults)
        return (rows[workspaceID]?[tenantID] ?? JobLimits()).over(workspace)
    }
}
