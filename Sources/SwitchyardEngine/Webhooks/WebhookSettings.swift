import SwitchyardCore
import SwitchyardStore

/// Where a workspace's webhook notifications go: a URL, the secret that signs them, and the
/// events it wants (all when empty). Kept on the workspace record, the secret encrypted.
package struct WebhookSettings: Sendable, Equatable {
    /// Every event the platform sends.
    package static let events = [
        "connection.created", "connection.reconnected", "connection.disconnected", "connection.deleted",
        "flowRun.queued", "flowRun.started", "flowRun.completed", "flowRun.failed", "flowRun.stopped",
    ]

    package var url: String
    package var secret: String
    /// The events sent; empty means all.
    package var events: [String]

    /// Creates settings.
    package init(url: String, secret: String, events: [String]) {
        self.url = url
        self.secret = secret
        self.events = events
    }

    /// Whether an event is sent.
    package func wants(_ event: String) -> Bool { events.isEmpty || events.contains(event) }

    /// The settings of a workspace record, when it has them.
    package init?(workspace record: Record) {
        guard let url = record.document["webhooks"]?["url"]?.stringValue, let secret = record.secret?["webhookSecret"]?.stringValue else { return nil }
        var events: [String] = []
        if case .array(let items)? = record.document["webhooks"]?["events"] { events = items.compactMap(\.stringValue) }
        self.init(url: url, secret: secret, events: events)
    }

    /// Reads a workspace's settings.
    package static func read(workspaceID: String, records: any RecordStore) async throws(SwitchyardError) -> WebhookSettings? {
        WebhookSettings(workspace: try await records.get(.workspaces, id: workspaceID, scope: .workspace(workspaceID)))
    }

    /// Stores settings on the workspace record (`nil` removes them).
    package static func write(_ settings: WebhookSettings?, workspaceID: String, records: any RecordStore) async throws(SwitchyardError) -> Record {
        try await records.update(.workspaces, id: workspaceID, scope: .workspace(workspaceID), expectedRevision: nil) { record in
            guard case .object(var document) = record.document else { return }
            var secret: [String: JSONValue] = [:]
            if case .object(let members)? = record.secret { secret = members }
            if let settings {
                document["webhooks"] = ["url": .string(settings.url), "events": .array(settings.events.map { .string($0) })]
                secret["webhookSecret"] = .string(settings.secret)
            } else {
                document["webhooks"] = nil
                secret["webhookSecret"] = nil
            }
            record.document = .object(document)
            record.secret = .object(secret)
        }
    }
}
