/// How many credential refreshes a correct engine may make while a test's calls run: a token is
/// used until the refresh margin (30 s or a tenth of its lifetime, whichever is less) before it
/// expires, so a refreshed token that the calls outlive is rightly refreshed again. On an idle
/// machine the calls of the lifetime tests end long before that and the budget is exactly what
/// the test names; on a loaded one a 3 s token may run out mid-burst, and each such run-out
/// allows one more refresh, never more.
package enum RefreshBudget {
    /// The seconds a token of `lifetime` seconds is used before it counts as expiring.
    package static func usableSeconds(lifetime: Int) -> Double {
        Double(lifetime) - min(30, Double(lifetime) / 10)
    }

    /// The refreshes allowed: `expected`, plus one for every usable lifetime that `elapsed`
    /// (the time since the newest token was obtained, or since the calls began) spans.
    package static func allowed(expected: Int, lifetime: Int, elapsed: Duration) -> Int {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return expected + Int(seconds / usableSeconds(lifetime: lifetime))
    }
}
