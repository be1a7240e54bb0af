import Synchronization

/// Values kept for a moment in one process, so a hot path reads the store once per time to live
/// instead of on every use: an integration with its connector package, a workspace's webhook
/// settings. Writes through this process forget their entries at once; another process's writes
/// show within the time to live. A time to live of zero keeps nothing.
final class ExpiringCache<Value: Sendable>: Sendable {
    private let timeToLive: Duration
    private let entries = Mutex<[String: (expires: ContinuousClock.Instant, value: Value)]>([:])
    /// Bounded: an install with more keys than this just reads more often.
    private static var capacity: Int { 10_000 }

    init(timeToLive: Duration) {
        self.timeToLive = timeToLive
    }

    /// The value kept for a key, unless it expired.
    func entry(_ key: String) -> Value? {
        guard timeToLive > .zero else { return nil }
        return entries.withLock { entries in
            guard let found = entries[key] else { return nil }
            guard found.expires > .now else {
                entries[key] = nil
                return nil
            }
            return found.value
        }
    }

    func store(_ value: Value, for key: String) {
        guard timeToLive > .zero else { return }
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = (.now + timeToLive, value)
        }
    }

    func remove(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
