import PostgresNIO
import SwitchyardCore

/// The record index on PostgreSQL: one statement per page, with the ids and hashes as arrays.
extension PostgresRecordStore: DataRecordIndex {
    package func compare(_ records: [IndexedRecord], source: String) async throws(SwitchyardError) -> [IndexedChange] {
        guard !records.isEmpty else { return [] }
        let ids = records.map(\.id)
        let known = try await run { client, logger in
            var hashes: [String: Int64] = [:]
            hashes.reserveCapacity(ids.count)
            let rows = try await client.query(
                "SELECT record_id, hash FROM sy_data_records WHERE source_id = \(source) AND record_id = ANY(\(ids))", logger: logger)
            for try await (id, hash) in rows.decode((String, Int64).self) { hashes[id] = hash }
            return hashes
        }
        return IndexedChange.of(records, known: known)
    }

    package func store(
        _ records: [IndexedRecord], source: String, workspaceID: String, scanID: String?, now: Int64
    ) async throws(SwitchyardError) {
        guard !records.isEmpty else { return }
        let ids = records.map(\.id)
        let hashes = records.map(\.hash)
        let scan = scanID ?? ""
        let marks = scanID != nil
        try await run { client, logger in
            _ = try await client.query(
                """
                INSERT INTO sy_data_records (source_id, record_id, workspace_id, hash, scan_id, updated_us)
                SELECT \(source), r.id, \(workspaceID), r.hash, \(scan), \(now) FROM UNNEST(\(ids)::text[], \(hashes)::bigint[]) AS r(id, hash)
                ON CONFLICT (source_id, record_id) DO UPDATE SET
                  updated_us = CASE WHEN sy_data_records.hash <> EXCLUDED.hash THEN EXCLUDED.updated_us ELSE sy_data_records.updated_us END,
                  hash = EXCLUDED.hash,
                  scan_id = CASE WHEN \(marks) THEN EXCLUDED.scan_id ELSE sy_data_records.scan_id END
                WHERE sy_data_records.hash <> EXCLUDED.hash OR (\(marks) AND sy_data_records.scan_id <> EXCLUDED.scan_id)
                """,
                logger: logger
            ).collect()
        }
    }

    package func unseen(source: String, scanID: String, since: Int64, after: String?, limit: Int) async throws(SwitchyardError) -> [String] {
        let start = after ?? ""
        return try await run { client, logger in
            var ids: [String] = []
            let rows = try await client.query(
                """
                SELECT record_id FROM sy_data_records
                WHERE source_id = \(source) AND record_id > \(start) AND scan_id <> \(scanID) AND updated_us < \(since)
                ORDER BY record_id LIMIT \(limit)
                """,
                logger: logger)
            for try await id in rows.decode(String.self) { ids.append(id) }
            return ids
        }
    }

    package func mark(_ ids: [String], source: String, scanID: String) async throws(SwitchyardError) {
        guard !ids.isEmpty else { return }
        try await run { client, logger in
            _ = try await client.query(
                "UPDATE sy_data_records SET scan_id = \(scanID) WHERE source_id = \(source) AND record_id = ANY(\(ids))", logger: logger
            ).collect()
        }
    }

    package func remove(_ ids: [String], source: String) async throws(SwitchyardError) {
        guard !ids.isEmpty else { return }
        try await run { client, logger in
            _ = try await client.query("DELETE FROM sy_data_records WHERE source_id = \(source) AND record_id = ANY(\(ids))",
                logger: logger).collect()
        }
    }

    package func removeAll(source: String) async throws(SwitchyardError) {
        try await run { client, logger in
            _ = try await client.query("DELETE FROM sy_data_records WHERE source_id = \(source)", logger: logger).collect()
        }
    }

    package func count(source: String) async throws(SwitchyardError) -> Int {
        try await run { client, logger in
            for try await count in try await client.query("SELECT COUNT(*) FROM sy_data_records WHERE source_id = \(source)", logger: logger)
                .decode(Int.self)
            {
                return count
            }
            return 0
        }
    }
}
