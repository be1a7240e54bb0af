import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore
import Synchronization

/// Request-rate limits under `ENABLE_LIMITS`: a token bucket per tenant and one per workspace.
///
/// Buckets live in each API process, sized to the configured rate divided by the number of API
/// processes (`API_PROCESSES`): behind a balancer each process sees about 1/N of a client's
/// requests, so N local buckets approximate one shared bucket without a database write per
/// request (which would cost more than the requests being limited). A workspace or tenant record
/// may set its own rate in `limits.requestsPerSecond`.
package final class RequestRateLimiter: Sendable {
    /// Rates in requests per second (whole deployment).
    package struct Rates: Sendable, Equatable {
        package var perTenant: Double
        package var perWorkspace: Double
        package var processes: Int

        /// Creates rates.
        package init(perTenant: Double, perWorkspace: Double, processes: Int) {
            self.perTenant = perTenant
            self.perWorkspace = perWorkspace
            self.processes = max(processes, 1)
        }
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let rates: Rates
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let buckets = Mutex<[String: Bucket]>([:])

    /// Creates a limiter.
    /// - Parameter clock: The time source (tests pass one they move by hand).
    package init(rates: Rates, clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.rates = rates
        self.clock = clock
    }

    /// Takes one request's token from the tenant's and the workspace's buckets.
    /// - Parameters:
    ///   - tenantRate: The tenant record's own rate, if it sets one.
    ///   - workspaceRate: The workspace record's own rate, if it sets one.
    /// - Throws: `rate_limit_exceeded` with a `Retry-After` when a bucket is empty.
    package func admit(_ caller: Caller, tenantRate: Double?, workspaceRate: Double?) throws(SwitchyardError) {
        let workspaceLimit = (workspaceRate ?? rates.perWorkspace) / Double(rates.processes)
        let now = clock()
        var checks: [(String, Double, String)] = [("w:" + caller.workspaceID, workspaceLimit, "workspace")]
        if let tenant = caller.tenantID {
            checks.append(("t:" + tenant, (tenantRate ?? rates.perTenant) / Double(rates.processes), "customer"))
        }
        let refusal = buckets.withLock { buckets -> (String, Double)? in
            // Check every bucket before taking from any, so a refused request costs nothing.
            var refill: [String: Bucket] = [:]
            for (key, rate, what) in checks {
                var bucket = buckets[key] ?? Bucket(tokens: rate, updated: now)
                let elapsed = now - bucket.updated
                bucket.tokens = min(rate, bucket.tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
                bucket.updated = now
                if bucket.tokens < 1 { return (what, max((1 - bucket.tokens) / max(rate, 0.001), 0.001)) }
                refill[key] = bucket
            }
            for (key, var bucket) in refill {
                bucket.tokens -= 1
                buckets[key] = bucket
            }
            return nil
        }
        if let (what, wait) = refusal {
            throw SwitchyardError(
                .rateLimitExceeded, "too many requests for this \(what); retry in \(Int(wait.rounded(.up))) s",
                data: ["limit": what], retryAfterSeconds: Int(wait.rounded(.up))
            )
        }
    }
}
