/// Where the outbound client hands every ``ExternalAPILogEntry``. Called once per attempt, in
/// order, before the client goes on: keep it quick (queue the write) and never throw.
package protocol ExternalAPILogSink: Sendable {
    /// Keeps an entry.
    func record(_ entry: ExternalAPILogEntry) async
}

/// Keeps entries in memory, for tests and development.
package actor InMemoryExternalAPILogSink: ExternalAPILogSink {
    /// Every entry recorded, oldest first.
    package private(set) var entries: [ExternalAPILogEntry] = []

    /// Creates an empty sink.
    package init() {}

    /// Appends the entry.
    package func record(_ entry: ExternalAPILogEntry) {
        entries.append(entry)
    }

    /// Forgets every entry.
    package func removeAll() {
        entries.removeAll()
    }
}

/// Drops every entry, for callers with nothing to log to.
package struct DiscardingExternalAPILogSink: ExternalAPILogSink {
    /// Creates the sink.
    package init() {}

    /// Drops the entry.
    package func record(_ entry: ExternalAPILogEntry) {}
}
