import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore

/// Finds elements for a caller and works out what they contain: a child that follows its parent
/// shows the parent's (effective) content, a customized child or a root its own.
struct ElementResolver: Sendable {
    let type: ElementType
    let records: any RecordStore
    let scope: StoreScope

    /// The element a `{selector}` names: an id, a key at the layer the query's `connectionId` /
    /// `instanceKey` / `integrationKey` / `integrationId` pick, or `integrationKey.elementKey`.
    func resolve(_ selector: String, query: [String: String], includeArchived: Bool = false) async throws(SwitchyardError) -> Element {
        let record = try await find(selector, query: query)
        guard includeArchived || record.archivedAt == nil else {
            throw SwitchyardError(.notFound, "\(type.singular) \(selector) is archived (add includeArchived=true to see it)")
        }
        return Element(record)
    }

    private func find(_ selector: String, query: [String: String]) async throws(SwitchyardError) -> Record {
        if let record = try? await records.get(type.kind, id: selector, scope: scope) { return record }
        var key = selector
        var integration = try await ElementResolver.integration(query, records: records, scope: scope)
        if integration == nil, let dot = selector.firstIndex(of: ".") {
            let integrationKey = String(selector[..<dot])
            key = String(selector[selector.index(after: dot)...])
            integration = try? await ElementSelector.resolve(.integrations, integrationKey, scope: scope, records: records)
            guard integration != nil else { throw notFound(selector) }
        }
        var fields: [String: String?]
        if let connectionID = query["connectionId"] {
            fields = ["layer": ElementLayer.instance.rawValue, "connectionId": connectionID, "instanceKey": query["instanceKey"]]
            if let integration { fields["integrationId"] = integration.id }
        } else if let integration {
            fields = ["layer": ElementLayer.integration.rawValue, "integrationId": integration.id]
        } else {
            fields = ["layer": ElementLayer.universal.rawValue]
        }
        let filter = RecordFilter(key: key, includeArchived: false, documentFields: fields)
        if let record = try await records.list(type.kind, scope: scope, filter: filter, limit: 1, cursor: nil).items.first { return record }
        throw notFound(selector)
    }

    private func notFound(_ selector: String) -> SwitchyardError {
        SwitchyardError(.notFound, "\(type.singular) \(selector) not found")
    }

    /// The integration the query names by `integrationKey` or `integrationId`, if it names one.
    /// - Throws: `not_found` naming the parameter when there is no such integration, or the two
    ///   name different ones.
    static func integration(_ query: [String: String], records: any RecordStore, scope: StoreScope) async throws(SwitchyardError) -> Record? {
        var found: Record?
        for name in ["integrationId", "integrationKey"] {
            guard let selector = query[name] else { continue }
            let record: Record
            do {
                record = try await ElementSelector.resolve(.integrations, selector, scope: scope, records: records)
            } catch where error.key == .notFound {
                throw SwitchyardError(.notFound, "\(name) \(selector): no such integration", data: [name: "no such integration"])
            }
            if let found, found.id != record.id {
                throw SwitchyardError(.notFound, "no integration has both this integrationId and integrationKey", data: ["integrationKey": "names another integration than integrationId"])
            }
            found = record
        }
        return found
    }

    /// The content an element shows, and the parent it comes from when it follows one.
    /// - Parameter cache: Records already read (lists read each parent once).
    func effective(_ element: Element, cache: inout [String: Record]) async throws(SwitchyardError) -> (content: [String: JSONValue], parent: Record?) {
        try await element.effective(records: records, scope: scope, cache: &cache)
    }

    /// The response body of an element: its content (own or inherited), placement and lineage.
    func json(_ element: Element, cache: inout [String: Record]) async throws(SwitchyardError) -> JSONValue {
        let (content, parent) = try await effective(element, cache: &cache)
        var members = content
        members["layer"] = .string(element.layer.rawValue)
        members["isCustomized"] = .bool(element.isCustomized)
        members["revision"] = .number(Double(element.record.revision))
        if let integrationID = element.integrationID { members["integrationId"] = .string(integrationID) }
        if let connectionID = element.connectionID { members["connectionId"] = .string(connectionID) }
        if let instanceKey = element.instanceKey { members["instanceKey"] = .string(instanceKey) }
        for (name, value) in element.settings { members[name] = value }
        if let tenantID = element.record.tenantID { members["tenantId"] = .string(tenantID) }
        if let parent {
            members["parentId"] = .string(parent.id)
            members["parentRevision"] = .number(Double(parent.revision))
        }
        var record = element.record
        record.document = .object(members)
        return RecordJSON.object(record)
    }
}
