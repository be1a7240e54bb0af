import SwitchyardCore
import SwitchyardStore

/// The layer an element lives at.
package enum ElementLayer: String, Sendable, CaseIterable {
    /// App-agnostic: no integration, no connection.
    case universal
    /// One integration's version of an element.
    case integration
    /// One connection's instance (several per connection with distinct `instanceKey`s).
    case instance
}

/// A stored element read from its record. The document holds the placement (`layer`,
/// `integrationId`, `connectionId`, `instanceKey`), `isCustomized`, `content` — the element's
/// own fields, absent while a child follows its parent — and an instance's `settings`
/// (a flow instance's `enabled` and user `parameters`), which are not content: changing them
/// does not customize the instance.
package struct Element: Sendable {
    /// The stored record.
    package var record: Record
    /// Where it lives.
    package var layer: ElementLayer
    /// Its integration, below the universal layer.
    package var integrationID: String?
    /// Its connection, at the instance layer.
    package var connectionID: String?
    /// Its instance key, for one of several instances of a connection.
    package var instanceKey: String?
    /// Whether a child keeps content of its own rather than following its parent.
    package var isCustomized: Bool
    /// Its own content, if it has any.
    package var ownContent: [String: JSONValue]?
    /// Instance settings that are not content.
    package var settings: [String: JSONValue]

    /// Reads an element from its record.
    package init(_ record: Record) {
        self.record = record
        let document = record.document
        layer = document["layer"]?.stringValue.flatMap(ElementLayer.init(rawValue:)) ?? .universal
        integrationID = document["integrationId"]?.stringValue
        connectionID = document["connectionId"]?.stringValue
        instanceKey = document["instanceKey"]?.stringValue
        isCustomized = document["isCustomized"] == .bool(true)
        if case .object(let content)? = document["content"] { ownContent = content }
        settings = document["settings"]?.objectValue ?? [:]
    }

    /// Whether the element takes its content from its parent.
    package var followsParent: Bool { record.parentID != nil && !isCustomized }

    /// The stored document for a placement and content.
    package static func document(
        layer: ElementLayer, integrationID: String?, connectionID: String?, instanceKey: String?, isCustomized: Bool, content: [String: JSONValue]?,
        settings: [String: JSONValue] = [:]
    ) -> JSONValue {
        var members: [String: JSONValue] = ["layer": .string(layer.rawValue), "isCustomized": .bool(isCustomized)]
        if let integrationID { members["integrationId"] = .string(integrationID) }
        if let connectionID { members["connectionId"] = .string(connectionID) }
        if let instanceKey { members["instanceKey"] = .string(instanceKey) }
        if let content { members["content"] = .object(content) }
        if !settings.isEmpty { members["settings"] = .object(settings) }
        return .object(members)
    }

    /// The same placement and settings with new content (`nil`: follow the parent).
    package func withContent(_ content: [String: JSONValue]?) -> JSONValue {
        Self.document(
            layer: layer, integrationID: integrationID, connectionID: connectionID, instanceKey: instanceKey, isCustomized: content != nil && record.parentID != nil,
            content: content, settings: settings
        )
    }

    /// The same placement and content with new settings.
    package func withSettings(_ settings: [String: JSONValue]) -> JSONValue {
        Self.document(
            layer: layer, integrationID: integrationID, connectionID: connectionID, instanceKey: instanceKey, isCustomized: isCustomized, content: ownContent,
            settings: settings
        )
    }

    /// Parents are at most two layers up (instance → integration → universal); a longer chain
    /// means a damaged parent link, reported instead of followed forever.
    package static let maxDepth = 4

    /// The content an element shows, and the parent it comes from when it follows one: a child
    /// that follows its parent shows the parent's (effective) content, a customized child or a
    /// root its own.
    /// - Parameter cache: Records already read (lists read each parent once).
    package func effective(records: any RecordStore, scope: StoreScope, cache: inout [String: Record]) async throws(SwitchyardError)
        -> (content: [String: JSONValue], parent: Record?)
    {
        guard let parentID = record.parentID else { return (ownContent ?? [:], nil) }
        let parent = try await Self.read(record.kind, parentID, records: records, scope: scope, cache: &cache)
        guard followsParent else { return (ownContent ?? [:], parent) }
        var current = Element(parent)
        for _ in 0..<Self.maxDepth {
            guard current.followsParent, let next = current.record.parentID else { return (current.ownContent ?? [:], parent) }
            current = Element(try await Self.read(record.kind, next, records: records, scope: scope, cache: &cache))
        }
        throw SwitchyardError(.internal, "\(record.kind.rawValue) \(record.id) has a parent chain longer than \(Self.maxDepth)")
    }

    private static func read(_ kind: RecordKind, _ id: String, records: any RecordStore, scope: StoreScope, cache: inout [String: Record]) async throws(SwitchyardError) -> Record {
        if let cached = cache[id] { return cached }
        // Parents are shared (universal or integration layer) rows, readable in every scope.
        let record = try await records.get(kind, id: id, scope: scope)
        cache[id] = record
        return record
    }
}
