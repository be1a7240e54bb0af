/// When a failed attempt runs again: exponential (1 s, 2 s, 4 s, … up to an hour) with ±25%
/// jitter so failures of many jobs at once do not retry in lock step.
package enum JobBackoff {
    /// The delay after attempt `attempt` (1-based) failed.
    package static func delay(afterAttempt attempt: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
        let base = min(Double(1 << min(max(attempt - 1, 0), 20)), 3600)
        return .milliseconds(Int64(base * (0.75 + random * 0.5) * 1000))
    }
}
