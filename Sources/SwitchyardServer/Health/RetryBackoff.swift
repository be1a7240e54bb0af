/// Exponential backoff with jitter for retrying a failing dependency check.
///
/// Retry *n* (1-based) waits `min(initial × 2^(n-1), maximum)`, of which a random half is
/// jitter ("equal jitter"): the wait lies in `[d/2, d]`. Jitter keeps many processes that
/// started together from hammering a recovering database in lock-step.
package struct RetryBackoff: Sendable, Equatable {
    /// The delay before the first retry.
    package var initial: Duration
    /// The largest delay.
    package var maximum: Duration

    /// Creates a policy.
    /// - Parameters:
    ///   - initial: The delay before the first retry.
    ///   - maximum: The largest delay.
    package init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The delay before a retry, without jitter.
    /// - Parameter retry: The retry number, from 1.
    package func ceiling(forRetry retry: Int) -> Duration {
        let exponent = min(max(retry - 1, 0), 40)
        let scaled = initial * (1 << exponent)
        return scaled > maximum || scaled < initial ? maximum : scaled
    }

    /// The delay before a retry, with jitter.
    /// - Parameters:
    ///   - retry: The retry number, from 1.
    ///   - generator: The source of randomness.
    package func delay(forRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = ceiling(forRetry: retry)
        let half = ceiling / 2
        let jitterNanos = Int64.random(in: 0...max(half.nanosecondsClamped, 0), using: &generator)
        return half + .nanoseconds(jitterNanos)
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to `Int64`.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
