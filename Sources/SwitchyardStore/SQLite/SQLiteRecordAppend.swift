import GRDB
import SwitchyardCore

/// Log records appended in bulk on SQLite: cached statements in one write transaction.
extension SQLiteRecordStore {
    package func append(_ records: [NewRecord], scope: StoreScope) async throws(SwitchyardError) -> Int {
        guard let kind = records.first?.kind else { return 0 }
        guard records.allSatisfy({ $0.kind == kind && $0.secret == nil && $0.key == nil && $0.id != nil }) else {
            return try await appendOneByOne(records, scope: scope)
        }
        var rows: [(id: String, tenant: String?, parent: String?, document: String)] = []
        for record in records {
            rows.append((record.id ?? "", try RecordQuery.tenant(for: record, in: scope), record.parentID, record.document.jsonText))
        }
        let now = StoreClock.now()
        let workspace = scope.workspaceID
        let rowsToWrite = rows
        return try await run { pool in
            try await pool.write { db in
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT INTO \(kind.table) (id, workspace_id, tenant_id, parent_id, created_us, updated_us, revision, doc)
                        VALUES (?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (id) DO NOTHING
                        """)
                var inserted = 0
                for row in rowsToWrite {
                    try statement.execute(arguments: [row.id, workspace, row.tenant, row.parent, now, now, row.document])
                    inserted += db.changesCount
                }
                return inserted
            }
        }
    }
}
