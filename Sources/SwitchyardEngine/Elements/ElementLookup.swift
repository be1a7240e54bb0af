import SwitchyardCore
import SwitchyardStore

/// Finds the element a key names for a connection: the connection's instance, else the
/// integration's version, else the universal one (the order flows, field mappings, data link
/// tables and app data schemas are looked up in).
package enum ElementLookup {
    /// The connection's live instance with this key (and instance key), if there is one.
    package static func instance(
        _ kind: RecordKind, key: String, connectionID: String, instanceKey: String? = nil, records: any RecordStore, scope: StoreScope
    ) async throws(SwitchyardError) -> Element? {
        let filter = RecordFilter(
            key: key, documentFields: ["layer": ElementLayer.instance.rawValue, "connectionId": connectionID, "instanceKey": instanceKey])
        return try await records.list(kind, scope: scope, filter: filter, limit: 1, cursor: nil).items.first.map(Element.init)
    }

    /// The live element with this key above the instance layer: the integration's, else the
    /// universal one.
    package static func shared(
        _ kind: RecordKind, key: String, integrationID: String?, records: any RecordStore, scope: StoreScope
    ) async throws(SwitchyardError) -> Record? {
        if let integrationID {
            let filter = RecordFilter(key: key, documentFields: ["layer": ElementLayer.integration.rawValue, "integrationId": integrationID])
            if let found = try await records.list(kind, scope: scope, filter: filter, limit: 1, cursor: nil).items.first { return found }
        }
        let universal = RecordFilter(key: key, documentFields: ["layer": ElementLayer.universal.rawValue])
        return try await records.list(kind, scope: scope, filter: universal, limit: 1, cursor: nil).items.first
    }

    /// The most specific live element with this key for a connection, if any.
    package static func mostSpecific(
        _ kind: RecordKind, key: String, connection: Record, records: any RecordStore, scope: StoreScope
    ) async throws(SwitchyardError) -> Element? {
        if let found = try await instance(kind, key: key, connectionID: connection.id, records: records, scope: scope) { return found }
        return try await shared(kind, key: key, integrationID: connection.parentID, records: records, scope: scope).map(Element.init)
    }
}
