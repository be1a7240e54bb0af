/// A start-up check that still failed after every retry; the process exits with it.
package struct HealthCheckFailure: Error, Sendable, CustomStringConvertible {
    /// The check's name.
    package var check: String
    /// How many probes ran.
    package var attempts: Int
    /// The last failure.
    package var reason: String

    package var description: String {
        "dependency check '\(check)' failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(reason)"
            + " (skip it with SKIP_HEALTH_CHECKS=\(check), or raise HEALTH_CHECK_RETRIES)"
    }
}
