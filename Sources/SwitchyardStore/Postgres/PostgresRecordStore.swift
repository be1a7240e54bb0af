import Foundation
import Logging
import NIOSSL
import PostgresNIO
import SwitchyardCore

/// The production store: PostgreSQL through a `PostgresClient` pool. Call ``run()`` (for example
/// from a service) for as long as the store is used.
package final class PostgresRecordStore: RecordStore, Migrator {
    /// Pool sizing and timeouts (`DATABASE_*` settings).
    package struct PoolSettings: Sendable {
        /// Most connections.
        package var maxConnections = 20
        /// Connections kept open when idle.
        package var minConnections = 0
        /// Idle time before a connection closes.
        package var idleTimeout: Duration = .seconds(10)
        /// Time allowed to open one connection.
        package var connectTimeout: Duration = .seconds(10)
        /// Whether ``run()`` also listens for job notifications (workers do; job executors and
        /// one-off commands need not hold the extra connection).
        package var listensForJobs = true
        /// When the pool watchdog probes and replaces a pool that stopped serving requests.
        package var watchdog = SupervisedPostgresClient.Watchdog()

        /// Creates settings.
        package init(
            maxConnections: Int = 20, minConnections: Int = 0, idleTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(10)
        ) {
            self.maxConnections = maxConnections
            self.minConnections = minConnections
            self.idleTimeout = idleTimeout
            self.connectTimeout = connectTimeout
        }
    }

    let pool: SupervisedPostgresClient
    /// The pool in service now (the watchdog may replace it).
    var client: PostgresClient { pool.client }
    private let listensForJobs: Bool
    private let keys: KeyRing
    private let cursors: PageCursor
    let logger: Logger
    /// Wakes job workers; fed by `LISTEN sy_jobs` while ``run()`` runs.
    package let wakeups = JobWakeups()

    /// Creates the store (connections open on first use, once ``run()`` is running).
    /// - Throws: `unavailable` when TLS cannot be set up (for example an unreadable CA file).
    package init(url: PostgresURL, pool: PoolSettings = PoolSettings(), keys: KeyRing, cursors: PageCursor, logger: Logger) throws(SwitchyardError) {
        let tls: PostgresClient.Configuration.TLS = try PostgresConnectionFactory.tlsConfiguration(for: url).map { .require($0) } ?? .disable
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: tls
        )
        configuration.options.maximumConnections = pool.maxConnections
        configuration.options.minimumConnections = pool.minConnections
        configuration.options.connectionIdleTimeout = pool.idleTimeout
        // The pool arms its timers with `Task.sleep`, and a cancelled sleep keeps its memory until
        // its deadline. It arms a keep-alive timer (30 s) and, above the minimum connections, an
        // idle timer every time a connection goes back to the pool, and cancels them when it is
        // leased again: at thousands of queries a second that kept hundreds of MB alive (decision
        // 0018). So no keep-alive (a dead connection fails its next query, which is retried, and
        // the watchdog replaces a stuck pool), and idle connections close after 10 s by default.
        configuration.options.keepAliveBehavior = nil
        configuration.options.connectTimeout = pool.connectTimeout
        let direct: PostgresConnection.Configuration
        do {
            direct = try PostgresConnectionFactory.configuration(for: url)
        } catch {
            throw SwitchyardError(.unavailable, "cannot set up TLS for PostgreSQL: \(error)")
        }
        self.pool = SupervisedPostgresClient(configuration: configuration, direct: direct, watchdog: pool.watchdog, logger: logger)
        listensForJobs = pool.listensForJobs
        self.keys = keys
        self.cursors = cursors
        self.logger = logger
    }

    /// Runs the connection pool until the task is cancelled.
    package func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.pool.run() }
            if listensForJobs { group.addTask { await self.listenForJobs() } }
        }
    }

    // MARK: Migrations

    /// An advisory lock number only Switchyard's migrator takes.
    private static let migrationLock: Int64 = 0x5357_4954_4348_5944

    package func migrate() async throws(SwitchyardError) -> [Int] {
        // A migration may rightly take long (a big table, another process migrating first).
        try await run(limited: false) { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                // Every migrator waits here; the first applies, the others find nothing left.
                _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger).collect()
                _ = try await connection.query(PostgresQuery(unsafeSQL: Migrations.bookkeeping(.postgres)), logger: logger).collect()
                var applied = Set<Int>()
                for try await version in try await connection.query("SELECT version FROM sy_migrations", logger: logger).decode(Int.self) {
                    applied.insert(version)
                }
                var done: [Int] = []
                for migration in Migrations.all where !applied.contains(migration.version) {
                    for statement in migration.statements(.postgres) {
                        _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).collect()
                    }
                    let now = StoreClock.now()
                    _ = try await connection.query(
                        "INSERT INTO sy_migrations (version, name, applied_us) VALUES (\(migration.version), \(migration.name), \(now))",
                        logger: logger
                    ).collect()
                    done.append(migration.version)
                }
                return done
            }
        }
    }

    package func currentVersion() async throws(SwitchyardError) -> Int {
        try await run { client, logger in
            let exists = try await client.query("SELECT to_regclass('sy_migrations') IS NOT NULL", logger: logger).decode(Bool.self)
            var found = false
            for try await value in exists { found = value }
            guard found else { return 0 }
            var version = 0
            for try await value in try await client.query("SELECT COALESCE(MAX(version), 0) FROM sy_migrations", logger: logger).decode(Int.self) {
                version = value
            }
            return version
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
            kind, scope: scope, filter: filter, limit: limit, cursor: cursor, cursors: cursors, dialect: .postgres
        )
        let rows = try await fetch(kind, query, suffix: RecordQuery.order(filter, limit: limit))
        return RecordQuery.page(from: rows, limit: limit, context: context, cursors: cursors)
    }

    package func apply(_ writes: [RecordWrite]) async throws(SwitchyardError) -> [Record?] {
        let keys = self.keys
        // One insert is atomic by itself: no BEGIN and COMMIT round trips around it.
        if writes.count == 1, case .insert(let record, let scope) = writes[0] {
            return try await run { client, logger in
                try await client.withConnection { connection in [try await Self.insert(connection, record, scope: scope, keys: keys, logger: logger)] }
            }
        }
        return try await run { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                var results: [Record?] = []
                for write in writes {
                    switch write {
                    case .insert(let record, let scope):
                        results.append(try await Self.insert(connection, record, scope: scope, keys: keys, logger: logger))
                    case .update(let kind, let id, let scope, let expectedRevision, let change):
                        results.append(
                            try await Self.update(connection, kind, id: id, scope: scope, expectedRevision: expectedRevision, change: change, keys: keys, logger: logger)
                        )
                    case .delete(let kind, let id, let scope):
                        try await Self.delete(connection, kind, id: id, scope: scope, logger: logger)
                        results.append(nil)
                    case .enqueue(let job, let limits):
                        _ = try await Self.enqueue(connection, [job], limits: limits, logger: logger)
                        results.append(nil)
                    }
                }
                return results
            }
        }
    }

    private static func insert(_ connection: PostgresConnection, _ record: NewRecord, scope: StoreScope, keys: KeyRing, logger: Logger) async throws -> Record {
        let tenant = try RecordQuery.tenant(for: record, in: scope)
        let id = record.id ?? UUID().uuidString.lowercased()
        let now = StoreClock.now()
        let sealed = try record.secret.map { value throws(SwitchyardError) in try keys.seal(value, kind: record.kind, id: id) }
        var binds = PostgresBindings()
        for value in [id, scope.workspaceID, tenant, record.key, record.parentID] { bind(value, &binds) }
        binds.append(now)
        binds.append(now)
        binds.append(record.document.jsonText)
        bind(sealed, &binds)
        let sql = "INSERT INTO \(record.kind.table) (id, workspace_id, tenant_id, key, parent_id, created_us, updated_us, doc, secret) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)"
        _ = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).collect()
        return Record(
            kind: record.kind, id: id, workspaceID: scope.workspaceID, tenantID: tenant, key: record.key, parentID: record.parentID,
            createdAt: now, updatedAt: now, archivedAt: nil, revision: 1, document: record.document, secret: record.secret
        )
    }

    private static func update(
        _ connection: PostgresConnection, _ kind: RecordKind, id: String, scope: StoreScope, expectedRevision: Int64?,
        change: @Sendable (inout Record) throws(SwitchyardError) -> Void, keys: KeyRing, logger: Logger
    ) async throws -> Record {
        var query = RecordQuery.writable(by: scope)
        query.add("id = ?", id)
        let select = statement("SELECT \(selectColumns) FROM \(kind.table) WHERE \(query.whereClause) FOR UPDATE", query.values)
        var found: Record?
        for try await row in try await connection.query(select, logger: logger) { found = try decode(kind, row, keys: keys) }
        guard let before = found else { throw SwitchyardError(.notFound, "\(kind.rawValue) \(id) not found") }
        let after = try RecordQuery.changed(before, expectedRevision: expectedRevision, by: change)
        let sealed = try after.secret.map { value throws(SwitchyardError) in try keys.seal(value, kind: kind, id: id) }
        var binds = PostgresBindings()
        bind(after.key, &binds)
        bind(after.parentID, &binds)
        binds.append(after.updatedAt)
        if let archived = after.archivedAt { binds.append(archived) } else { binds.appendNull() }
        binds.append(after.revision)
        binds.append(after.document.jsonText)
        bind(sealed, &binds)
        binds.append(id)
        let sql = "UPDATE \(kind.table) SET key = $1, parent_id = $2, updated_us = $3, archived_us = $4, revision = $5, doc = $6::jsonb, secret = $7 WHERE id = $8"
        _ = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).collect()
        return after
    }

    private static func delete(_ connection: PostgresConnection, _ kind: RecordKind, id: String, scope: StoreScope, logger: Logger) async throws {
        var query = RecordQuery.writable(by: scope)
        query.add("id = ?", id)
        var deleted = 0
        for try await _ in try await connection.query(statement("DELETE FROM \(kind.table) WHERE \(query.whereClause) RETURNING id", query.values), logger: logger) {
            deleted += 1
        }
        guard deleted > 0 else { throw SwitchyardError(.notFound, "\(kind.rawValue) \(id) not found") }
    }

    /// One statement (no BEGIN and COMMIT): the record's insert, the job's, and the queue's
    /// wake-up when the job is due. A job with a unique key goes the way of ``apply(_:)``.
    package func insert(_ record: NewRecord, scope: StoreScope, enqueueing job: NewJob) async throws(SwitchyardError) -> Record {
        try job.validate()
        guard job.uniqueKey == nil else { return try await apply([.insert(record, scope: scope), .enqueue(job, limits: nil)])[0]! }
        let tenant = try RecordQuery.tenant(for: record, in: scope)
        let id = record.id ?? UUID().uuidString.lowercased()
        let now = StoreClock.now()
        let sealed = try record.secret.map { value throws(SwitchyardError) in try keys.seal(value, kind: record.kind, id: id) }
        let due = (job.scheduledAt ?? now) <= now
        let sql = "WITH inserted AS (INSERT INTO \(record.kind.table) (id, workspace_id, tenant_id, key, parent_id, created_us, updated_us,"
            + " doc, secret) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)), job AS (INSERT INTO sy_jobs (state, queue, kind, priority, args,"
            + " max_attempts, workspace_id, tenant_id, connection_id, unique_key, scheduled_us, created_us)"
            + " VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?) RETURNING id) "
            + (due ? "SELECT pg_notify('sy_jobs', ?) FROM job" : "SELECT id FROM job")
        var arguments: [SQLArgument] = [
            .text(id), .text(scope.workspaceID), .text(tenant), .text(record.key), .text(record.parentID), .int(now), .int(now),
            .text(record.document.jsonText), .text(sealed),
        ]
        arguments += JobSQL.insertArguments(job, now: now)
        if due { arguments.append(.text(job.queue.rawValue)) }
        let statement = Self.query(sql, arguments)
        try await run { client, logger in _ = try await client.query(statement, logger: logger).collect() }
        return Record(
            kind: record.kind, id: id, workspaceID: scope.workspaceID, tenantID: tenant, key: record.key, parentID: record.parentID,
            createdAt: now, updatedAt: now, archivedAt: nil, revision: 1, document: record.document, secret: record.secret
        )
    }

    /// One statement: the inserts and the patch as data-modifying parts of one `WITH` (atomic
    /// without BEGIN and COMMIT), the record locked while its conditions are checked.
    package func patch(_ patch: RecordPatch, inserting: [NewRecord]) async throws(SwitchyardError) -> PatchedRecord {
        let table = patch.kind.table
        let now = StoreClock.now()
        let keys = self.keys
        var query = RecordQuery.writable(by: patch.scope)
        query.add("id = ?", patch.id)
        // The record is locked first; the inserts happen only when it is there.
        var parts = ["prior AS (SELECT \(Self.selectColumns), doc AS raw FROM \(table) WHERE \(query.whereClause) FOR UPDATE)"]
        var arguments: [SQLArgument] = query.values.map { .text($0) }
        let columns = "id, workspace_id, tenant_id, key, parent_id, created_us, updated_us, doc, secret"
        let byKind = Dictionary(grouping: inserting, by: \.kind).sorted { $0.key.rawValue < $1.key.rawValue }
        for (index, (kind, records)) in byKind.enumerated() {
            var rows: [String] = []
            for record in records {
                let tenant = try RecordQuery.tenant(for: record, in: patch.scope)
                let id = record.id ?? UUID().uuidString.lowercased()
                let sealed = try record.secret.map { value throws(SwitchyardError) in try keys.seal(value, kind: kind, id: id) }
                rows.append("(?::text, ?::text, ?::text, ?::text, ?::text, ?::bigint, ?::bigint, ?::jsonb, ?::text)")
                arguments += [
                    .text(id), .text(patch.scope.workspaceID), .text(tenant), .text(record.key), .text(record.parentID), .int(now), .int(now),
                    .text(record.document.jsonText), .text(sealed),
                ]
            }
            parts.append(
                "inserted\(index) AS (INSERT INTO \(kind.table) (\(columns)) SELECT * FROM (VALUES \(rows.joined(separator: ", "))) AS v(\(columns)) "
                    + "WHERE EXISTS (SELECT 1 FROM prior))")
        }
        let conditions = patch.cases.map { SQLArgument.text(JSONValue.object($0.when).jsonText) }
        var documents = "CASE WHEN false THEN prior.raw"
        for (index, patchCase) in patch.cases.enumerated() {
            let removed = String(repeating: " - ?::text", count: patchCase.remove.count)
            documents += " WHEN prior.raw @> ?::jsonb THEN (prior.raw\(removed)) || ?::jsonb"
            arguments += [conditions[index]] + patchCase.remove.map { .text($0) } + [.text(JSONValue.object(patchCase.set).jsonText)]
        }
        let applied = "CASE WHEN false THEN -1" + patch.cases.indices.map { " WHEN prior.raw @> ?::jsonb THEN \($0)" }.joined() + " END"
        let any = patch.cases.isEmpty ? "false" : Array(repeating: "prior.raw @> ?::jsonb", count: patch.cases.count).joined(separator: " OR ")
        parts.append(
            "changed AS (UPDATE \(table) SET doc = \(documents) END, revision = \(table).revision + 1, "
                + "updated_us = GREATEST(?::bigint, \(table).updated_us + 1) FROM prior WHERE \(table).id = prior.id AND (\(any)) "
                + "RETURNING \(table).revision, \(table).updated_us, \(table).doc::text, \(applied) AS applied)")
        arguments += [.int(now)] + conditions + conditions
        let sql = "WITH " + parts.joined(separator: ", ")
            + " SELECT prior.id, prior.workspace_id, prior.tenant_id, prior.key, prior.parent_id, prior.created_us, prior.updated_us,"
            + " prior.archived_us, prior.revision, prior.doc, prior.secret, changed.revision, changed.updated_us, changed.doc, changed.applied"
            + " FROM prior LEFT JOIN changed ON true"
        let statement = Self.query(sql, arguments)
        let kind = patch.kind
        let found = try await run { client, logger -> PatchedRecord? in
            for try await row in try await client.query(statement, logger: logger) {
                return try Self.patched(kind, row, keys: keys)
            }
            return nil
        }
        guard let found else { throw SwitchyardError(.notFound, "\(patch.kind.rawValue) \(patch.id) not found") }
        return found
    }

    /// Decodes a patch's row: the record before, then the changed revision, time, document and case.
    private static func patched(_ kind: RecordKind, _ row: PostgresRow, keys: KeyRing) throws -> PatchedRecord {
        let c = row.makeRandomAccess()
        let id = try c[0].decode(String.self)
        func document(_ text: String) throws -> JSONValue {
            do {
                return try JSONValue.parse(text)
            } catch {
                throw SwitchyardError(.internal, "\(kind.rawValue) \(id) has a damaged document")
            }
        }
        let before = Record(
            kind: kind, id: id, workspaceID: try c[1].decode(String.self), tenantID: try c[2].decode(String?.self),
            key: try c[3].decode(String?.self),
            parentID: try c[4].decode(String?.self), createdAt: try c[5].decode(Int64.self), updatedAt: try c[6].decode(Int64.self),
            archivedAt: try c[7].decode(Int64?.self), revision: try c[8].decode(Int64.self), document: try document(try c[9].decode(String.self)),
            secret: try c[10].decode(String?.self).map { text throws(SwitchyardError) in try keys.open(text, kind: kind, id: id) }
        )
        guard let revision = try c[11].decode(Int64?.self), let updated = try c[12].decode(Int64?.self), let text = try c[13].decode(String?.self)
        else {
            return PatchedRecord(before: before, record: before, applied: nil)
        }
        var after = before
        after.revision = revision
        after.updatedAt = updated
        after.document = try document(text)
        return PatchedRecord(before: before, record: after, applied: try c[14].decode(Int?.self))
    }

    package func reencryptSecrets(_ kind: RecordKind, batchSize: Int) async throws(SwitchyardError) -> Int {
        let prefix = "v1.\(keys.currentKeyID)."
        let keys = self.keys
        return try await run { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                let rows = try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT id, secret FROM \(kind.table) WHERE secret IS NOT NULL AND left(secret, \(prefix.count)) <> $1 LIMIT $2 FOR UPDATE SKIP LOCKED",
                        binds: { var b = PostgresBindings(); b.append(prefix); b.append(batchSize); return b }()
                    ),
                    logger: logger
                ).decode((String, String).self)
                var pending: [(String, String)] = []
                for try await row in rows { pending.append(row) }
                for (id, secret) in pending {
                    let sealed = try keys.seal(try keys.open(secret, kind: kind, id: id), kind: kind, id: id)
                    var binds = PostgresBindings()
                    binds.append(sealed)
                    binds.append(id)
                    _ = try await connection.query(PostgresQuery(unsafeSQL: "UPDATE \(kind.table) SET secret = $1 WHERE id = $2", binds: binds), logger: logger).collect()
                }
                return pending.count
            }
        }
    }

    package func purge(_ kind: RecordKind, createdBefore: Int64, limit: Int) async throws(SwitchyardError) -> Int {
        try await run { client, logger in
            let sql = "DELETE FROM \(kind.table) WHERE id IN (SELECT id FROM \(kind.table) WHERE created_us < ? LIMIT ?) RETURNING 1"
            return try await client.query(Self.query(sql, [.int(createdBefore), .int(Int64(limit))]), logger: logger).collect().count
        }
    }

    package func createdCounts(
        _ kind: RecordKind, scope: StoreScope, since: Int64, interval: Int64, buckets: Int
    ) async throws(SwitchyardError) -> [Int] {
        let (sql, values) = try RecordQuery.createdCounts(kind, scope: scope, since: since, interval: interval, buckets: buckets, dialect: .postgres)
        let statement = Self.statement(sql, values)
        let rows = try await run { client, logger in
            var rows: [(Int64, Int)] = []
            for try await row in try await client.query(statement, logger: logger).decode((Int64, Int).self) { rows.append(row) }
            return rows
        }
        return RecordQuery.spread(rows, buckets: buckets)
    }

    // MARK: Helpers

    private static let selectColumns = "id, workspace_id, tenant_id, key, parent_id, created_us, updated_us, archived_us, revision, doc::text, secret"

    /// Reads are retried on a lost connection (the pool reconnects); writes are not, so nothing
    /// is applied twice.
    private func fetch(_ kind: RecordKind, _ query: RecordQuery, suffix: String) async throws(SwitchyardError) -> [Record] {
        let statement = Self.statement("SELECT \(Self.selectColumns) FROM \(kind.table) WHERE \(query.whereClause)\(suffix)", query.values)
        let keys = self.keys
        var attempt = 0
        while true {
            do {
                return try await run { client, logger in
                    var records: [Record] = []
                    for try await row in try await client.query(statement, logger: logger) { records.append(try Self.decode(kind, row, keys: keys)) }
                    return records
                }
            } catch where error.key == .unavailable && attempt < 3 {
                attempt += 1
                try? await Task.sleep(for: .milliseconds(100 << attempt))
            }
        }
    }

    private static func statement(_ sql: String, _ values: [String?]) -> PostgresQuery {
        query(sql, values.map { .text($0) })
    }

    private static func bind(_ value: String?, _ binds: inout PostgresBindings) {
        if let value { binds.append(value) } else { binds.appendNull() }
    }

    private static func decode(_ kind: RecordKind, _ row: PostgresRow, keys: KeyRing) throws -> Record {
        let (id, workspace, tenant, key, parent, created, updated, archived, revision, doc, secret) = try row.decode(
            (String, String, String?, String?, String?, Int64, Int64, Int64?, Int64, String, String?).self
        )
        let document: JSONValue
        do {
            document = try JSONValue.parse(doc)
        } catch {
            throw SwitchyardError(.internal, "\(kind.rawValue) \(id) has a damaged document")
        }
        return Record(
            kind: kind, id: id, workspaceID: workspace, tenantID: tenant, key: key, parentID: parent, createdAt: created, updatedAt: updated,
            archivedAt: archived, revision: revision, document: document,
            secret: try secret.map { text throws(SwitchyardError) in try keys.open(text, kind: kind, id: id) }
        )
    }

    /// Runs database work, turning driver errors into store errors.
    func run<T: Sendable>(limited: Bool = true, _ body: @escaping @Sendable (PostgresClient, Logger) async throws -> T) async throws(SwitchyardError) -> T {
        let logger = logger
        do {
            return try await pool.use(limited: limited) { client in try await body(client, logger) }
        } catch let error as SwitchyardError {
            throw error
        } catch is CancellationError {
            throw SwitchyardError(.unavailable, "the operation was cancelled")
        } catch let error as PSQLError {
            throw Self.map(error)
        } catch let error as PostgresTransactionError {
            // The transaction was rolled back; report why it failed.
            let cause = error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError
            if let cause = cause as? SwitchyardError { throw cause }
            if let cause = cause as? PSQLError { throw Self.map(cause) }
            throw SwitchyardError(.unavailable, "PostgreSQL transaction failed", internalDetail: String(reflecting: error))
        } catch {
            throw SwitchyardError(.unavailable, "PostgreSQL is not available: \(PostgresErrorDescription.describe(error))", internalDetail: String(reflecting: error))
        }
    }

    static func map(_ error: PSQLError) -> SwitchyardError {
        switch error.serverInfo?[.sqlState] {
        case "23505":
            return SwitchyardError(.alreadyExists, "a record with this id or key already exists")
        case "22P05", "22021":
            return SwitchyardError(.badRequest, "the text contains a character the database cannot store (U+0000)")
        case "40001", "40P01":
            return SwitchyardError(.conflict, "a concurrent change won; retry", retryAfterSeconds: 1)
        case .some(let state) where state.hasPrefix("08") || state.hasPrefix("57P"):
            return SwitchyardError(.unavailable, "PostgreSQL is not available (SQLSTATE \(state))", retryAfterSeconds: 1)
        case .some(let state):
            return SwitchyardError(.internal, "the database refused the operation (SQLSTATE \(state))", internalDetail: String(reflecting: error))
        case .none:
            return SwitchyardError(.unavailable, "PostgreSQL is not available: \(PostgresErrorDescription.describe(error))", retryAfterSeconds: 1)
        }
    }
}
