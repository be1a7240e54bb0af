extension Migrations {
    /// The pull log and the index of records data source instances have seen (ids and hashes).
    static func dataSync(_ dialect: SQLDialect) -> [String] {
        recordTable(.externalEventPulls, dialect) + [
            """
            CREATE TABLE sy_data_records (
              source_id TEXT NOT NULL,
              record_id TEXT NOT NULL,
              workspace_id TEXT NOT NULL,
              hash BIGINT NOT NULL,
              scan_id TEXT NOT NULL,
              updated_us BIGINT NOT NULL,
              PRIMARY KEY (source_id, record_id)
            )\(dialect == .sqlite ? " WITHOUT ROWID" : "")
            """
        ]
    }
}
