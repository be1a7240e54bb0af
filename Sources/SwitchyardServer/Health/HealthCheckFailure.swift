/// A start-up check that still failed after every retry; the process exits with it.
package struct HealthCheckFailure: Error, Sendable, CustomStringConvertible {
    /// The check's name.
    package var check: String
    /// How many probes ran.
    package var attempts: Int
    /// The last failure.
    package var reason: String
    /// Whether retrying could not have helped (the reason says what to do instead).
    package var permanent = false

    package var description: String {
        let head = "dependency check '\(check)' failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(reason)"
        return permanent ? head : head + " (skip it with SKIP_HEALTH_CHECKS=\(check), or raise HEALTH_CHECK_RETRIES)"
    }
}
