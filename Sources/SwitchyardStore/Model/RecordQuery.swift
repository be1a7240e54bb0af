import SwitchyardCore

/// The parts of a record query both SQL backends share: scope conditions and list filters, as
/// SQL with `?` placeholders and their values in order. Backends number the placeholders.
struct RecordQuery {
    var conditions: [String] = []
    var values: [String?] = []

    /// Rows the scope may read: the tenant's own and the workspace's shared rows.
    static func readable(by scope: StoreScope) -> RecordQuery {
        var query = RecordQuery()
        query.add("workspace_id = ?", scope.workspaceID)
        if let tenant = scope.tenantID { query.add("(tenant_id = ? OR tenant_id IS NULL)", tenant) }
        return query
    }

    /// Rows the scope may change: a tenant scope only its own.
    static func writable(by scope: StoreScope) -> RecordQuery {
        var query = RecordQuery()
        query.add("workspace_id = ?", scope.workspaceID)
        if let tenant = scope.tenantID { query.add("tenant_id = ?", tenant) }
        return query
    }

    mutating func add(_ condition: String, _ values: String?...) {
        conditions.append(condition)
        self.values.append(contentsOf: values)
    }

    mutating func apply(_ filter: RecordFilter, _ dialect: SQLDialect) throws(SwitchyardError) {
        if let key = filter.key { add("key = ?", key) }
        if let parent = filter.parentID { add("parent_id = ?", parent) }
        if let tenant = filter.tenantID { add("tenant_id = ?", tenant) }
        if !filter.includeArchived { conditions.append("archived_us IS NULL") }
        for (name, value) in filter.documentFields.sorted(by: { $0.key < $1.key }) {
            let field = try Self.documentField(name, dialect)
            if let value { add("\(field) = ?", value) } else { conditions.append("\(field) IS NULL") }
        }
        if let search = filter.search, !search.isEmpty { try addSearch(search, fields: filter.searchFields, dialect) }
    }

    /// A case-insensitive substring match over the key and some document fields. `%`, `_` and
    /// `\` in the text match themselves.
    mutating func addSearch(_ text: String, fields: [String], _ dialect: SQLDialect) throws(SwitchyardError) {
        var escaped = ""
        for character in text.lowercased() {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        let pattern = "%" + escaped + "%"
        var columns = ["key"]
        for name in fields { columns.append(try Self.documentField(name, dialect)) }
        let matches = columns.map { "lower(\($0)) LIKE ? ESCAPE '\\'" }
        conditions.append("(" + matches.joined(separator: " OR ") + ")")
        values.append(contentsOf: Array(repeating: pattern, count: columns.count))
    }

    /// The keyset condition after a cursor's row, in the list's order.
    static func position(_ filter: RecordFilter, _ dialect: SQLDialect) -> String {
        let time = dialect == .postgres ? "?::bigint" : "CAST(? AS INTEGER)"
        return "(created_us, id) \(filter.newestFirst ? "<" : ">") (\(time), ?)"
    }

    /// The list's `ORDER BY` and `LIMIT`.
    static func order(_ filter: RecordFilter, limit: Int) -> String {
        filter.newestFirst ? " ORDER BY created_us DESC, id DESC LIMIT \(limit + 1)" : " ORDER BY created_us, id LIMIT \(limit + 1)"
    }

    /// The SQL of a document field as text: a top-level name, or a nested one joined by dots
    /// (`content.name`).
    /// - Throws: `bad_request` for a name whose parts are not plain identifiers (it is spliced into SQL).
    static func documentField(_ name: String, _ dialect: SQLDialect) throws(SwitchyardError) -> String {
        let segments = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            segments.count <= 4 && name.count <= 64
            && segments.allSatisfy { segment in
                guard let first = segment.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return false }
                return segment.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
            }
        guard valid else {
            throw SwitchyardError(.badRequest, "document field name \(name) must be letters and digits (nested fields joined by dots)")
        }
        guard dialect == .postgres else { return "json_extract(doc, '$.\(name)')" }
        let path = segments.dropLast().map { "->'\($0)'" }.joined()
        return "(doc\(path)->>'\(segments.last!)')"
    }

    var whereClause: String { conditions.joined(separator: " AND ") }

    /// The context a cursor is bound to: a cursor of one list is refused by another.
    static func cursorContext(_ kind: RecordKind, _ scope: StoreScope, _ filter: RecordFilter) -> String {
        let fields = filter.documentFields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.map { "s" + $0 } ?? "n")" }
        let parts = [
            kind.rawValue, scope.workspaceID, scope.tenantID ?? "", filter.key ?? "", filter.parentID ?? "", filter.tenantID ?? "",
            filter.includeArchived ? "1" : "0", filter.search ?? "", filter.searchFields.joined(separator: ","), filter.newestFirst ? "desc" : "asc",
        ]
        return (parts + fields)
            .joined(separator: "\u{1F}")
    }

    /// The tenant a new record gets in a scope, or `access_denied`.
    static func tenant(for record: NewRecord, in scope: StoreScope) throws(SwitchyardError) -> String? {
        guard let scopeTenant = scope.tenantID else { return record.tenantID }
        guard record.tenantID == nil || record.tenantID == scopeTenant else {
            throw SwitchyardError(.accessDenied, "a tenant can only create its own \(record.kind.rawValue)")
        }
        return scopeTenant
    }

    /// The rules of an update, the same on every backend: the expected revision must match, the
    /// change may not touch the record's identity, and the revision and time move forward.
    static func changed(
        _ before: Record, expectedRevision: Int64?, by change: (inout Record) throws(SwitchyardError) -> Void
    ) throws(SwitchyardError) -> Record {
        if let expectedRevision, expectedRevision != before.revision {
            throw SwitchyardError(
                .conflict, "\(before.kind.rawValue) \(before.id) changed (revision \(before.revision), expected \(expectedRevision))")
        }
        var after = before
        try change(&after)
        guard before.id == after.id, before.kind == after.kind, before.workspaceID == after.workspaceID, before.tenantID == after.tenantID,
            before.createdAt == after.createdAt
        else {
            throw SwitchyardError(.badRequest, "an update cannot change a record's id, kind, workspace, tenant or creation time")
        }
        after.revision = before.revision + 1
        after.updatedAt = max(StoreClock.now(), before.updatedAt + 1)
        return after
    }

    /// The query of one list page: scope, filter, and the keyset position after the cursor
    /// (after `(created_us, id)` in the list's order, ``position(_:_:)``).
    static func page(
        _ kind: RecordKind, scope: StoreScope, filter: RecordFilter, limit: Int, cursor: String?, cursors: PageCursor, dialect: SQLDialect
    ) throws(SwitchyardError) -> (query: RecordQuery, context: String) {
        try PageCursor.validate(limit: limit)
        let context = cursorContext(kind, scope, filter)
        var query = readable(by: scope)
        try query.apply(filter, dialect)
        if let cursor {
            let (createdAt, id) = try cursors.decode(cursor, context: context)
            query.conditions.append(position(filter, dialect))
            query.values += [String(createdAt), id]
        }
        return (query, context)
    }

    /// A page from rows fetched with `LIMIT limit + 1`: the extra row only says there is more.
    static func page(from rows: [Record], limit: Int, context: String, cursors: PageCursor) -> Page {
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { cursors.encode(createdAt: $0.createdAt, id: $0.id, context: context) } : nil
        return Page(items: items, cursor: next)
    }
}

extension RecordQuery {
    /// The statement of ``RecordStore/createdCounts(_:scope:since:interval:buckets:)``: rows of
    /// `(bucket, count)` for the buckets that have any, with its values in order.
    static func createdCounts(
        _ kind: RecordKind, scope: StoreScope, since: Int64, interval: Int64, buckets: Int, dialect: SQLDialect
    ) throws(SwitchyardError) -> (sql: String, values: [String?]) {
        guard interval > 0, (1...1440).contains(buckets) else {
            throw SwitchyardError(.badRequest, "an interval must be positive and buckets 1 to 1440", data: ["field": "buckets"])
        }
        let time = dialect == .postgres ? "?::bigint" : "CAST(? AS INTEGER)"
        var query = readable(by: scope)
        query.add("created_us >= \(time)", String(since))
        query.add("created_us < \(time)", String(since + interval * Int64(buckets)))
        let sql = "SELECT (created_us - \(time)) / \(time) AS bucket, COUNT(*) FROM \(kind.table) WHERE \(query.whereClause) GROUP BY 1"
        return (sql, [String(since), String(interval)] + query.values)
    }

    /// Spreads `(bucket, count)` rows over every bucket.
    static func spread(_ rows: [(Int64, Int)], buckets: Int) -> [Int] {
        var counts = Array(repeating: 0, count: buckets)
        for (bucket, count) in rows where bucket >= 0 && bucket < Int64(buckets) { counts[Int(bucket)] = count }
        return counts
    }
}

/// Columns every record query selects, in this order.
let recordColumns = "id, workspace_id, tenant_id, key, parent_id, created_us, updated_us, archived_us, revision, doc, secret"
