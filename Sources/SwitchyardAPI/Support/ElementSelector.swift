import Foundation
import SwitchyardCore
import SwitchyardStore

/// Resolves a `{selector}` path segment: a record id, a key, or `integrationKey.elementKey`
/// for elements that belong to an integration. The one place selectors are read.
enum ElementSelector {
    /// - Parameter includeArchived: Whether an archived record resolves (otherwise it is
    ///   `not_found`, as deleted objects are).
    static func resolve(_ kind: RecordKind, _ selector: String, scope: StoreScope, records: any RecordStore, includeArchived: Bool = false) async throws(SwitchyardError) -> Record {
        let record = try await find(kind, selector, scope: scope, records: records)
        guard includeArchived || record.archivedAt == nil else {
            throw SwitchyardError(.notFound, "\(kind.rawValue.replacingOccurrences(of: "_", with: " ")) \(selector) is archived (add includeArchived=true to see it)")
        }
        return record
    }

    private static func find(_ kind: RecordKind, _ selector: String, scope: StoreScope, records: any RecordStore) async throws(SwitchyardError) -> Record {
        if let record = try? await records.get(kind, id: selector, scope: scope) { return record }
        if let record = try await records.list(kind, scope: scope, filter: RecordFilter(key: selector), limit: 1, cursor: nil).items.first {
            return record
        }
        if kind != .integrations, let dot = selector.firstIndex(of: ".") {
            let integrationKey = String(selector[..<dot])
            let elementKey = String(selector[selector.index(after: dot)...])
            if let integration = try await records.list(.integrations, scope: scope, filter: RecordFilter(key: integrationKey), limit: 1, cursor: nil).items.first,
                let record = try await records.list(kind, scope: scope, filter: RecordFilter(key: elementKey, parentID: integration.id), limit: 1, cursor: nil).items.first
            {
                return record
            }
        }
        throw SwitchyardError(.notFound, "\(kind.rawValue.replacingOccurrences(of: "_", with: " ")) \(selector) not found")
    }
}
