extension Migrations {
    /// Element keys are unique per layer, not per tenant: the universal `create-task`, each
    /// integration's `create-task` and each connection's instance of it (per `instanceKey`) share
    /// a key. The layer lives in the document (`integrationId`, `connectionId`, `instanceKey`), so
    /// the unique index is on those expressions.
    static func elementLayers(_ dialect: SQLDialect) -> [String] {
        RecordKind.elements.flatMap { kind -> [String] in
            let table = kind.table
            let field = { (name: String) in dialect == .postgres ? "COALESCE(doc->>'\(name)', '')" : "COALESCE(json_extract(doc, '$.\(name)'), '')" }
            return [
                "DROP INDEX \(table)_key_idx",
                "CREATE UNIQUE INDEX \(table)_layer_key_idx ON \(table) (workspace_id, COALESCE(tenant_id, ''), \(field("integrationId")), \(field("connectionId")), "
                    + "\(field("instanceKey")), key) WHERE key IS NOT NULL AND archived_us IS NULL",
            ]
        }
    }
}
