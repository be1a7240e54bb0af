import SwitchyardCore
import SwitchyardStore

/// The layer an element lives at.
enum ElementLayer: String, Sendable, CaseIterable {
    /// App-agnostic: no integration, no connection.
    case universal
    /// One integration's version of an element.
    case integration
    /// One connection's instance (several per connection with distinct `instanceKey`s).
    case instance
}

/// A stored element read from its record. The document holds the placement (`layer`,
/// `integrationId`, `connectionId`, `instanceKey`), `isCustomized`, and `content` — the
/// element's own fields, absent while a child follows its parent.
struct Element: Sendable {
    var record: Record
    var layer: ElementLayer
    var integrationID: String?
    var connectionID: String?
    var instanceKey: String?
    var isCustomized: Bool
    var ownContent: [String: JSONValue]?

    init(_ record: Record) {
        self.record = record
        let document = record.document
        layer = document["layer"]?.stringValue.flatMap(ElementLayer.init(rawValue:)) ?? .universal
        integrationID = document["integrationId"]?.stringValue
        connectionID = document["connectionId"]?.stringValue
        instanceKey = document["instanceKey"]?.stringValue
        isCustomized = document["isCustomized"] == .bool(true)
        if case .object(let content)? = document["content"] { ownContent = content }
    }

    /// Whether the element takes its content from its parent.
    var followsParent: Bool { record.parentID != nil && !isCustomized }

    /// The stored document for a placement and content.
    static func document(
        layer: ElementLayer, integrationID: String?, connectionID: String?, instanceKey: String?, isCustomized: Bool, content: [String: JSONValue]?
    ) -> JSONValue {
        var members: [String: JSONValue] = ["layer": .string(layer.rawValue), "isCustomized": .bool(isCustomized)]
        if let integrationID { members["integrationId"] = .string(integrationID) }
        if let connectionID { members["connectionId"] = .string(connectionID) }
        if let instanceKey { members["instanceKey"] = .string(instanceKey) }
        if let content { members["content"] = .object(content) }
        return .object(members)
    }

    /// The same placement with new content (`nil`: follow the parent).
    func withContent(_ content: [String: JSONValue]?) -> JSONValue {
        Self.document(
            layer: layer, integrationID: integrationID, connectionID: connectionID, instanceKey: instanceKey, isCustomized: content != nil && record.parentID != nil,
            content: content
        )
    }
}
