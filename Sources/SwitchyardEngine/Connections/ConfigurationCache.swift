import Synchronization
import SwitchyardConnectors
import SwitchyardStore

/// An integration's record and its connector package, kept for a moment in each process, so a
/// proxied request reads only its connection from the database (not the integration, the
/// connector and its version as well). Writes through this process's API forget everything at
/// once (``ConnectionRuntime/forgetConfiguration()``); another process's writes show within
/// the time to live.
final class ConfigurationCache: Sendable {
    struct Entry: Sendable {
        var integration: Record
        var package: ConnectorPackage
    }

    private let timeToLive: Duration
    private let entries = Mutex<[String: (expires: ContinuousClock.Instant, entry: Entry)]>([:])

    init(timeToLive: Duration) {
        self.timeToLive = timeToLive
    }

    func entry(_ key: String) -> Entry? {
        guard timeToLive > .zero else { return nil }
        return entries.withLock { entries in
            guard let found = entries[key] else { return nil }
            guard found.expires > .now else {
                entries[key] = nil
                return nil
            }
            return found.entry
        }
    }

    func store(_ entry: Entry, for key: String) {
        guard timeToLive > .zero else { return }
        entries.withLock { entries in
            // Bounded: an install with more integrations than this just reads more often.
            if entries.count >= 10_000 { entries.removeAll(keepingCapacity: true) }
            entries[key] = (.now + timeToLive, entry)
        }
    }

    func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
