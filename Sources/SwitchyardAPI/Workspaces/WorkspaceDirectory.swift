import Foundation
import Synchronization
import SwitchyardCore
import SwitchyardStore

/// Finds workspaces by key (with a short cache, since every request needs one), creates the
/// install's first workspace, and rotates secrets.
package final class WorkspaceDirectory: Sendable {
    /// The record pointing at the install's default workspace.
    static let defaultPointerID = "_default"
    /// The pseudo-workspace platform records live in.
    static let platformScope = StoreScope.workspace("_platform")

    private let records: any RecordStore
    private let cacheTime: Duration
    private let cache = Mutex<[String: (workspace: Workspace, at: ContinuousClock.Instant)]>([:])
    private let defaultKey = Mutex<String?>(nil)

    /// Creates a directory over the store.
    /// - Parameter cacheTime: How long a looked-up workspace is reused (a rotated secret takes
    ///   effect everywhere within this time).
    package init(records: any RecordStore, cacheTime: Duration = .seconds(5)) {
        self.records = records
        self.cacheTime = cacheTime
    }

    /// The workspace with a key.
    /// - Throws: `not_found` when there is none.
    package func workspace(key: String) async throws(SwitchyardError) -> Workspace {
        if let cached = cache.withLock({ $0[key] }), ContinuousClock.now - cached.at < cacheTime { return cached.workspace }
        guard !key.isEmpty, !key.hasPrefix("_") else { throw SwitchyardError(.notFound, "no workspace has key \(key)") }
        let record: Record
        do {
            record = try await records.get(.workspaces, id: key, scope: .workspace(key))
        } catch where error.key == .notFound {
            throw SwitchyardError(.notFound, "no workspace has key \(key)")
        }
        let workspace = try Workspace(record: record)
        cache.withLock { $0[key] = (workspace, .now) }
        return workspace
    }

    /// The install's default workspace, created (once, however many processes start at once)
    /// when the install has none.
    /// - Returns: The workspace and whether this call created it.
    package func defaultWorkspace() async throws(SwitchyardError) -> (Workspace, created: Bool) {
        if let key = defaultKey.withLock({ $0 }) { return (try await workspace(key: key), false) }
        for _ in 0..<3 {
            if let pointer = try? await records.get(.workspaces, id: Self.defaultPointerID, scope: Self.platformScope),
                let key = pointer.document["workspaceKey"]?.stringValue
            {
                defaultKey.withLock { $0 = key }
                return (try await workspace(key: key), false)
            }
            let workspace = Workspace(key: UUID().uuidString.lowercased(), name: "Default workspace", secret: Workspace.newSecret())
            let pointer = NewRecord(kind: .workspaces, id: Self.defaultPointerID, document: ["workspaceKey": .string(workspace.key)])
            do {
                _ = try await records.apply([
                    .insert(workspace.record, scope: .workspace(workspace.key)), .insert(pointer, scope: Self.platformScope),
                ])
                defaultKey.withLock { $0 = workspace.key }
                return (workspace, true)
            } catch where error.key == .alreadyExists {
                continue  // Another process created it first; read theirs.
            }
        }
        throw SwitchyardError(.conflict, "the default workspace could not be created; retry", retryAfterSeconds: 1)
    }

    /// Replaces a workspace's secret; the old one keeps working for ``Workspace/rotationGrace``.
    /// - Returns: The workspace with its new secret.
    package func rotateSecret(key: String) async throws(SwitchyardError) -> Workspace {
        let graceEnd = StoreClock.now() + Int64(Workspace.rotationGrace.components.seconds) * 1_000_000
        let newSecret = Workspace.newSecret()
        let record = try await records.update(.workspaces, id: key, scope: .workspace(key), expectedRevision: nil) { record in
            var members: [String: JSONValue] = ["secret": .string(newSecret)]
            if let current = record.secret?["secret"] { members["previousSecret"] = current }
            record.secret = .object(members)
            if case .object(var document) = record.document {
                document["previousSecretValidUntil"] = .number(Double(graceEnd))
                record.document = .object(document)
            }
        }
        cache.withLock { $0[key] = nil }
        return try Workspace(record: record)
    }

    /// Registers (or, with `nil`, removes) the public key tenant tokens may be signed against.
    package func setPublicKey(key: String, pem: String?) async throws(SwitchyardError) -> Workspace {
        try await set("publicKey", to: pem.map(JSONValue.string), in: key)
    }

    /// Sets the origins whose pages may embed the end-user UI (already checked by the caller).
    package func setUIAllowedOrigins(key: String, origins: [String]) async throws(SwitchyardError) -> Workspace {
        try await set("uiAllowedOrigins", to: origins.isEmpty ? nil : .array(origins.map(JSONValue.string)), in: key)
    }

    /// Sets (or, with `nil`, removes) one field of a workspace's document, and forgets the
    /// cached workspace.
    private func set(_ field: String, to value: JSONValue?, in key: String) async throws(SwitchyardError) -> Workspace {
        let record = try await records.update(.workspaces, id: key, scope: .workspace(key), expectedRevision: nil) { record in
            if case .object(var document) = record.document {
                document[field] = value
                record.document = .object(document.filter { $0.value != .null })
            }
        }
        cache.withLock { $0[key] = nil }
        return try Workspace(record: record)
    }
}
