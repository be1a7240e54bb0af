extension Migrations {
    /// Indexes for the admin console's lists: a workspace's jobs newest first, and its flow runs
    /// filtered by status, flow or connection in time order (the filters compare the same
    /// expressions).
    static func consoleLists(_ dialect: SQLDialect) -> [String] {
        let field = { (name: String) in dialect == .postgres ? "(doc->>'\(name)')" : "json_extract(doc, '$.\(name)')" }
        let runs = RecordKind.flowRuns.table
        return [
            "CREATE INDEX sy_jobs_workspace_idx ON sy_jobs (workspace_id, id)",
            "CREATE INDEX \(runs)_status_idx ON \(runs) (workspace_id, \(field("status")), created_us, id)",
            "CREATE INDEX \(runs)_flow_idx ON \(runs) (workspace_id, \(field("flowId")), created_us, id)",
            "CREATE INDEX \(runs)_connection_idx ON \(runs) (workspace_id, \(field("connectionId")), created_us, id)",
        ]
    }
}
