import Synchronization

/// Failed sign-ins, counted per account and per client address in this process: after
/// ``limit`` failures within ``window`` either one is refused (even with the right password)
/// until the oldest failure is ``window`` old. A success clears the account's count.
package final class LoginThrottle: Sendable {
    /// Failures allowed within the window.
    package let limit: Int
    /// The window.
    package let window: Duration
    private let failures = Mutex<[String: [ContinuousClock.Instant]]>([:])

    /// Creates a throttle.
    package init(limit: Int = 5, window: Duration = .seconds(15 * 60)) {
        self.limit = limit
        self.window = window
    }

    /// Whether any of the keys has used up its failures.
    func isBlocked(_ keys: [String]) -> Bool {
        let now = ContinuousClock.now
        return failures.withLock { failures in
            keys.contains { key in (failures[key] ?? []).filter { now - $0 < window }.count >= limit }
        }
    }

    /// Counts a failure against each key.
    func recordFailure(_ keys: [String]) {
        let now = ContinuousClock.now
        failures.withLock { failures in
            for key in keys { failures[key] = (failures[key] ?? []).filter { now - $0 < window } + [now] }
            if failures.count > 10_000 { failures = failures.filter { $0.value.contains { now - $0 < window } } }
        }
    }

    /// Clears a key's failures (the account signed in).
    func clear(_ key: String) {
        _ = failures.withLock { $0.removeValue(forKey: key) }
    }
}
