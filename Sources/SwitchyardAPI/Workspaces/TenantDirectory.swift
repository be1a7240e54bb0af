import Crypto
import Foundation
import Synchronization
import SwitchyardCore
import SwitchyardStore

/// Tenants (the SaaS company's customers), created on first sight of a token and kept in step
/// with the token's `name` and `fields`. A tenant's record id is derived from its workspace and
/// id, so two first requests at once agree on one record.
package final class TenantDirectory: Sendable {
    private let records: any RecordStore
    private let cacheTime: Duration
    private let cache = Mutex<[String: (record: Record, at: ContinuousClock.Instant)]>([:])

    /// Creates a directory.
    package init(records: any RecordStore, cacheTime: Duration = .seconds(30)) {
        self.records = records
        self.cacheTime = cacheTime
    }

    /// The record id of a workspace's tenant.
    package static func recordID(workspaceID: String, key: String) -> String {
        let digest = SHA256.hash(data: Data((workspaceID + "\u{0}" + key).utf8))
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = Array("tn_".utf8)
        for byte in digest.prefix(16) { text += [hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]] }
        return String(decoding: text, as: UTF8.self)
    }

    /// The tenant with this id, created or updated to match the token.
    /// - Throws: `not_authenticated` when the tenant was archived.
    package func ensure(workspaceID: String, key: String, name: String?, fields: JSONValue?) async throws(SwitchyardError) -> Record {
        let id = Self.recordID(workspaceID: workspaceID, key: key)
        let scope = StoreScope.tenant(id, in: workspaceID)
        if let cached = cache.withLock({ $0[id] }), ContinuousClock.now - cached.at < cacheTime, Self.matches(cached.record, name: name, fields: fields) {
            return cached.record
        }
        var record: Record
        do {
            record = try await records.get(.tenants, id: id, scope: scope)
        } catch where error.key == .notFound {
            var document: [String: JSONValue] = ["name": .string(name ?? key)]
            if let fields { document["fields"] = fields }
            do {
                record = try await records.insert(NewRecord(kind: .tenants, id: id, tenantID: id, key: key, document: .object(document)), scope: scope)
            } catch where error.key == .alreadyExists {
                record = try await records.get(.tenants, id: id, scope: scope)
            }
        }
        if record.archivedAt != nil { throw SwitchyardError(.notAuthenticated, "customer \(key) is archived") }
        if !Self.matches(record, name: name, fields: fields) {
            record = try await records.update(.tenants, id: id, scope: scope, expectedRevision: nil) { record in
                guard case .object(var document) = record.document else { return }
                if let name { document["name"] = .string(name) }
                if let fields { document["fields"] = fields }
                record.document = .object(document)
            }
        }
        let fresh = record
        cache.withLock { $0[id] = (fresh, .now) }
        return record
    }

    /// The tenant record as last seen by ``ensure(workspaceID:key:name:fields:)``, without a
    /// database read (for per-request settings such as rate limits).
    package func cachedRecord(id: String) -> Record? {
        cache.withLock { $0[id]?.record }
    }

    /// Forgets a cached tenant (after an admin changed or archived it).
    package func forget(_ id: String) {
        cache.withLock { $0[id] = nil }
    }

    private static func matches(_ record: Record, name: String?, fields: JSONValue?) -> Bool {
        (name == nil || record.document["name"]?.stringValue == name) && (fields == nil || record.document["fields"] == fields)
    }
}
