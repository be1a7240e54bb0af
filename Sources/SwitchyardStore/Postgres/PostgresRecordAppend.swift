import PostgresNIO
import SwitchyardCore

/// Log records appended in bulk on PostgreSQL: one `INSERT … SELECT FROM UNNEST(…)` per call.
extension PostgresRecordStore {
    package func append(_ records: [NewRecord], scope: StoreScope) async throws(SwitchyardError) -> Int {
        guard let kind = records.first?.kind else { return 0 }
        guard records.allSatisfy({ $0.kind == kind && $0.secret == nil && $0.key == nil && $0.id != nil }) else {
            return try await appendOneByOne(records, scope: scope)
        }
        var ids: [String] = []
        var tenants: [String] = []
        var parents: [String] = []
        var documents: [String] = []
        for record in records {
            ids.append(record.id ?? "")
            tenants.append(try RecordQuery.tenant(for: record, in: scope) ?? "")
            parents.append(record.parentID ?? "")
            documents.append(record.document.jsonText)
        }
        let now = StoreClock.now()
        let workspace = scope.workspaceID
        let sql = """
            INSERT INTO \(kind.table) (id, workspace_id, tenant_id, parent_id, created_us, updated_us, doc)
            SELECT r.id, $1, NULLIF(r.tenant, ''), NULLIF(r.parent, ''), $2, $2, r.doc::jsonb
            FROM UNNEST($3::text[], $4::text[], $5::text[], $6::text[]) AS r(id, tenant, parent, doc)
            ON CONFLICT (id) DO NOTHING RETURNING id
            """
        var binds = PostgresBindings()
        binds.append(workspace)
        binds.append(now)
        binds.append(ids)
        binds.append(tenants)
        binds.append(parents)
        binds.append(documents)
        let bound = binds
        return try await run { client, logger in
            return try await client.query(PostgresQuery(unsafeSQL: sql, binds: bound), logger: logger).collect().count
        }
    }
}
