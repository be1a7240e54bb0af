/// What `GET /` returns: overall status, the roles, the version, and each check.
package struct HealthReport: Codable, Sendable, Equatable {
    /// One dependency check's state.
    package struct Check: Codable, Sendable, Equatable {
        /// `pending` (not yet succeeded, still retrying), `ok`, `failing`, or `skipped`.
        package var status: String
        /// Probes run so far.
        package var attempts: Int
        /// The last failure, when the check is not ok.
        package var error: String?
    }

    /// `ok` when ready; `starting` while start-up checks run; `unavailable` when a check fails.
    package var status: String
    /// The roles this process runs.
    package var roles: [String]
    /// Switchyard's version.
    package var version: String
    /// The dependency checks by name.
    package var checks: [String: Check]

    /// Whether the process is ready to serve.
    package var isReady: Bool { status == "ok" }
}
