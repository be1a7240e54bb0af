import GRDB
import SwitchyardCore

/// The record index on SQLite: a page is one write transaction of cached statements.
extension SQLiteRecordStore: DataRecordIndex {
    package func compare(_ records: [IndexedRecord], source: String) async throws(SwitchyardError) -> [IndexedChange] {
        guard !records.isEmpty else { return [] }
        let known = try await run { pool in
            try await pool.read { db in
                var hashes: [String: Int64] = [:]
                let statement = try db.cachedStatement(sql: "SELECT hash FROM sy_data_records WHERE source_id = ? AND record_id = ?")
                for record in records {
                    if let hash = try Int64.fetchOne(statement, arguments: [source, record.id]) { hashes[record.id] = hash }
                }
                return hashes
            }
        }
        return IndexedChange.of(records, known: known)
    }

    package func store(
        _ records: [IndexedRecord], source: String, workspaceID: String, scanID: String?, now: Int64
    ) async throws(SwitchyardError) {
        guard !records.isEmpty else { return }
        let marks = scanID != nil
        try await run { pool in
            try await pool.write { db in
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT INTO sy_data_records (source_id, record_id, workspace_id, hash, scan_id, updated_us) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (source_id, record_id) DO UPDATE SET
                          updated_us = CASE WHEN hash <> excluded.hash THEN excluded.updated_us ELSE updated_us END,
                          hash = excluded.hash,
                          scan_id = CASE WHEN ? THEN excluded.scan_id ELSE scan_id END
                        WHERE hash <> excluded.hash OR (? AND scan_id <> excluded.scan_id)
                        """)
                for record in records {
                    try statement.execute(arguments: [source, record.id, workspaceID, record.hash, scanID ?? "", now, marks, marks])
                }
            }
        }
    }

    package func unseen(source: String, scanID: String, since: Int64, after: String?, limit: Int) async throws(SwitchyardError) -> [String] {
        try await run { pool in
            try await pool.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT record_id FROM sy_data_records
                        WHERE source_id = ? AND record_id > ? AND scan_id <> ? AND updated_us < ? ORDER BY record_id LIMIT ?
                        """,
                    arguments: [source, after ?? "", scanID, since, limit])
            }
        }
    }

    package func mark(_ ids: [String], source: String, scanID: String) async throws(SwitchyardError) {
        guard !ids.isEmpty else { return }
        try await run { pool in
            try await pool.write { db in
                let statement = try db.cachedStatement(sql: "UPDATE sy_data_records SET scan_id = ? WHERE source_id = ? AND record_id = ?")
                for id in ids { try statement.execute(arguments: [scanID, source, id]) }
            }
        }
    }

    package func remove(_ ids: [String], source: String) async throws(SwitchyardError) {
        guard !ids.isEmpty else { return }
        try await run { pool in
            try await pool.write { db in
                let statement = try db.cachedStatement(sql: "DELETE FROM sy_data_records WHERE source_id = ? AND record_id = ?")
                for id in ids { try statement.execute(arguments: [source, id]) }
            }
        }
    }

    package func removeAll(source: String) async throws(SwitchyardError) {
        try await run { pool in
            try await pool.write { db in try db.execute(sql: "DELETE FROM sy_data_records WHERE source_id = ?", arguments: [source]) }
        }
    }

    package func count(source: String) async throws(SwitchyardError) -> Int {
        try await run { pool in
            try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sy_data_records WHERE source_id = ?",
                arguments: [source]) ?? 0 }
        }
    }
}
