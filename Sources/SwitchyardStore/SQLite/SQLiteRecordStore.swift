import Foundation
import GRDB
import SwitchyardCore

/// The embedded store: one SQLite file in WAL mode (many readers, one writer), through GRDB.
package final class SQLiteRecordStore: RecordStore, Migrator {
    let pool: DatabasePool
    /// Wakes this process's job workers (SQLite has no notifications; other processes poll).
    package let wakeups = JobWakeups()
    private let keys: KeyRing
    private let cursors: PageCursor

    /// Opens (creating if needed) the database file.
    /// - Parameters:
    ///   - path: The file.
    ///   - keys: Encrypts secrets.
    ///   - cursors: Signs page cursors.
    /// - Throws: `unavailable` naming the path when it cannot be opened.
    package init(path: String, keys: KeyRing, cursors: PageCursor) throws(SwitchyardError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw SwitchyardError(.unavailable, "cannot open SQLite database at \(path)", internalDetail: "\(error)")
        }
        self.keys = keys
        self.cursors = cursors
    }

    // MARK: Migrations

    package func migrate() async throws(SwitchyardError) -> [Int] {
        // BEGIN IMMEDIATE takes the write lock, so concurrent migrators apply each version once.
        try await run { pool in
            try await pool.writeWithoutTransaction { db in
                var result: [Int] = []
                try db.inTransaction(.immediate) {
                    try db.execute(sql: Migrations.bookkeeping(.sqlite))
                    let applied = Set(try Int.fetchAll(db, sql: "SELECT version FROM sy_migrations"))
                    var done: [Int] = []
                    for migration in Migrations.all where !applied.contains(migration.version) {
                        for statement in migration.statements(.sqlite) { try db.execute(sql: statement) }
                        try db.execute(
                            sql: "INSERT INTO sy_migrations (version, name, applied_us) VALUES (?, ?, ?)",
                            arguments: [migration.version, migration.name, StoreClock.now()]
                        )
                        done.append(migration.version)
                    }
                    result = done
                    return .commit
                }
                return result
            }
        }
    }

    package func currentVersion() async throws(SwitchyardError) -> Int {
        try await run { pool in
            try await pool.read { db in
                guard try db.tableExists("sy_migrations") else { return 0 }
                return try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(version), 0) FROM sy_migrations") ?? 0
            }
        }
    }

    // MARK: Records

    package func get(_ kind: RecordKind, id: String, scope: StoreScope) async throws(SwitchyardError) -> Record {
        var query = RecordQuery.readable(by: scope)
        query.add("id = ?", id)
        guard let record = try await fetch(kind, query, suffix: "").first else {
            throw SwitchyardError(.notFound, "\(kind.rawValue) \(id) not found")
        }
        return record
    }

    package func list(_ kind: RecordKind, scope: StoreScope, filter: RecordFilter, limit: Int, cursor: String?) async throws(SwitchyardError) -> Page {
        let (query, context) = try RecordQuery.page(
            kind, scope: scope, filter: filter, limit: limit, cursor: cursor, cursors: cursors, dialect: .sqlite
        )
        let rows = try await fetch(kind, query, suffix: RecordQuery.order(filter, limit: limit))
        return RecordQuery.page(from: rows, limit: limit, context: context, cursors: cursors)
    }

    package func apply(_ writes: [RecordWrite]) async throws(SwitchyardError) -> [Record?] {
        let keys = self.keys
        defer {
            for case .enqueue(let job, _) in writes { wakeups.signal(job.queue) }
        }
        return try await run { pool in
            try await pool.write { db in
                try writes.map { write throws -> Record? in
                    switch write {
                    case .insert(let record, let scope):
                        return try Self.insert(db, record, scope: scope, keys: keys)
                    case .update(let kind, let id, let scope, let expectedRevision, let change):
                        return try Self.update(db, kind, id: id, scope: scope, expectedRevision: expectedRevision, change: change, keys: keys)
                    case .delete(let kind, let id, let scope):
                        try Self.delete(db, kind, id: id, scope: scope)
                        return nil
                    case .enqueue(let job, let limits):
                        _ = try Self.enqueue(db, [job], limits: limits)
                        return nil
                    }
                }
            }
        }
    }

    private static func insert(_ db: Database, _ record: NewRecord, scope: StoreScope, keys: KeyRing) throws -> Record {
        let tenant = try RecordQuery.tenant(for: record, in: scope)
        let id = record.id ?? UUID().uuidString.lowercased()
        let now = StoreClock.now()
        let sealed = try record.secret.map { value throws(SwitchyardError) in try keys.seal(value, kind: record.kind, id: id) }
        try db.execute(
            sql: "INSERT INTO \(record.kind.table) (\(recordColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [id, scope.workspaceID, tenant, record.key, record.parentID, now, now, nil, 1, record.document.jsonText, sealed]
        )
        return Record(
            kind: record.kind, id: id, workspaceID: scope.workspaceID, tenantID: tenant, key: record.key, parentID: record.parentID,
            createdAt: now, updatedAt: now, archivedAt: nil, revision: 1, document: record.document, secret: record.secret
        )
    }

    private static func update(
        _ db: Database, _ kind: RecordKind, id: String, scope: StoreScope, expectedRevision: Int64?,
        change: @Sendable (inout Record) throws(SwitchyardError) -> Void, keys: KeyRing
    ) throws -> Record {
        var query = RecordQuery.writable(by: scope)
        query.add("id = ?", id)
        guard let row = try Row.fetchOne(db, sql: "SELECT \(recordColumns) FROM \(kind.table) WHERE \(query.whereClause)", arguments: arguments(query.values)) else {
            throw SwitchyardError(.notFound, "\(kind.rawValue) \(id) not found")
        }
        let after = try RecordQuery.changed(try decode(kind, row, keys: keys), expectedRevision: expectedRevision, by: change)
        let sealed = try after.secret.map { value throws(SwitchyardError) in try keys.seal(value, kind: kind, id: id) }
        try db.execute(
            sql: "UPDATE \(kind.table) SET key = ?, parent_id = ?, updated_us = ?, archived_us = ?, revision = ?, doc = ?, secret = ? WHERE id = ?",
            arguments: [after.key, after.parentID, after.updatedAt, after.archivedAt, after.revision, after.document.jsonText, sealed, id]
        )
        return after
    }

    /// In one write transaction: the inserts, then the patch (no write when no case holds).
    package func patch(_ patch: RecordPatch, inserting: [NewRecord]) async throws(SwitchyardError) -> PatchedRecord {
        let keys = self.keys
        return try await run { pool in
            try await pool.write { db in
                for record in inserting { _ = try Self.insert(db, record, scope: patch.scope, keys: keys) }
                var query = RecordQuery.writable(by: patch.scope)
                query.add("id = ?", patch.id)
                let sql = "SELECT \(recordColumns) FROM \(patch.kind.table) WHERE \(query.whereClause)"
                guard let row = try Row.fetchOne(db, sql: sql, arguments: Self.arguments(query.values)) else {
                    throw SwitchyardError(.notFound, "\(patch.kind.rawValue) \(patch.id) not found")
                }
                let before = try Self.decode(patch.kind, row, keys: keys)
                guard let applied = patch.matching(before.document) else { return PatchedRecord(before: before, record: before, applied: nil) }
                let change = patch.cases[applied]
                let after = try Self.update(
                    db, patch.kind, id: patch.id, scope: patch.scope, expectedRevision: nil,
                    change: { $0.document = RecordPatch.changed($0.document, by: change) }, keys: keys)
                return PatchedRecord(before: before, record: after, applied: applied)
            }
        }
    }

    private static func delete(_ db: Database, _ kind: RecordKind, id: String, scope: StoreScope) throws {
        var query = RecordQuery.writable(by: scope)
        query.add("id = ?", id)
        try db.execute(sql: "DELETE FROM \(kind.table) WHERE \(query.whereClause)", arguments: arguments(query.values))
        guard db.changesCount > 0 else { throw SwitchyardError(.notFound, "\(kind.rawValue) \(id) not found") }
    }

    package func reencryptSecrets(_ kind: RecordKind, batchSize: Int) async throws(SwitchyardError) -> Int {
        let prefix = "v1.\(keys.currentKeyID)."
        let keys = self.keys
        return try await run { pool in
            try await pool.write { db in
                let rows = try Row.fetchAll(
                    db, sql: "SELECT id, secret FROM \(kind.table) WHERE secret IS NOT NULL AND substr(secret, 1, ?) <> ? LIMIT ?",
                    arguments: [prefix.count, prefix, batchSize]
                )
                for row in rows {
                    let id: String = row["id"]
                    let value = try keys.open(row["secret"], kind: kind, id: id)
                    try db.execute(sql: "UPDATE \(kind.table) SET secret = ? WHERE id = ?", arguments: [try keys.seal(value, kind: kind, id: id), id])
                }
                return rows.count
            }
        }
    }

    package func purge(_ kind: RecordKind, createdBefore: Int64, limit: Int) async throws(SwitchyardError) -> Int {
        try await run { pool in
            try await pool.write { db in
                try db.execute(sql: "DELETE FROM \(kind.table) WHERE id IN (SELECT id FROM \(kind.table) WHERE created_us < ? LIMIT ?)", arguments: [createdBefore, limit])
                return db.changesCount
            }
        }
    }

    package func createdCounts(
        _ kind: RecordKind, scope: StoreScope, since: Int64, interval: Int64, buckets: Int
    ) async throws(SwitchyardError) -> [Int] {
        let (sql, values) = try RecordQuery.createdCounts(kind, scope: scope, since: since, interval: interval, buckets: buckets, dialect: .sqlite)
        let rows = try await run { pool in
            try await pool.read { db in
                try Row.fetchAll(db, sql: sql, arguments: Self.arguments(values)).map { row -> (Int64, Int) in (row[0], row[1]) }
            }
        }
        return RecordQuery.spread(rows, buckets: buckets)
    }

    // MARK: Helpers

    private func fetch(_ kind: RecordKind, _ query: RecordQuery, suffix: String) async throws(SwitchyardError) -> [Record] {
        let keys = self.keys
        return try await run { pool in
            try await pool.read { db in
                let rows = try Row.fetchAll(db, sql: "SELECT \(recordColumns) FROM \(kind.table) WHERE \(query.whereClause)\(suffix)", arguments: Self.arguments(query.values))
                return try rows.map { row in try Self.decode(kind, row, keys: keys) }
            }
        }
    }

    private static func decode(_ kind: RecordKind, _ row: Row, keys: KeyRing) throws(SwitchyardError) -> Record {
        let id: String = row["id"]
        let docText: String = row["doc"]
        let document: JSONValue
        do {
            document = try JSONValue.parse(docText)
        } catch {
            throw SwitchyardError(.internal, "\(kind.rawValue) \(id) has a damaged document")
        }
        let secretText: String? = row["secret"]
        return Record(
            kind: kind, id: id, workspaceID: row["workspace_id"], tenantID: row["tenant_id"], key: row["key"], parentID: row["parent_id"],
            createdAt: row["created_us"], updatedAt: row["updated_us"], archivedAt: row["archived_us"], revision: row["revision"],
            document: document, secret: try secretText.map { text throws(SwitchyardError) in try keys.open(text, kind: kind, id: id) }
        )
    }

    private static func arguments(_ values: [String?]) -> StatementArguments {
        StatementArguments(values.map { $0 as (any DatabaseValueConvertible)? })
    }

    /// Runs database work, turning GRDB errors into store errors.
    func run<T: Sendable>(_ body: (DatabasePool) async throws -> T) async throws(SwitchyardError) -> T {
        do {
            return try await body(pool)
        } catch let error as SwitchyardError {
            throw error
        } catch is CancellationError {
            throw SwitchyardError(.unavailable, "the operation was cancelled")
        } catch let error as DatabaseError {
            throw Self.map(error)
        } catch {
            throw SwitchyardError(.unavailable, "the embedded database failed", internalDetail: String(reflecting: error))
        }
    }

    private static func map(_ error: DatabaseError) -> SwitchyardError {
        switch error.extendedResultCode {
        case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY:
            return SwitchyardError(.alreadyExists, "a record with this id or key already exists")
        default:
            break
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return SwitchyardError(.conflict, "the database is busy; retry", retryAfterSeconds: 1)
        default:
            return SwitchyardError(.unavailable, "the embedded database failed", internalDetail: String(reflecting: error))
        }
    }
}
