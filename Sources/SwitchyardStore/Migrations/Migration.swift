import SwitchyardCore

/// The SQL dialect a migration is written for.
package enum SQLDialect: Sendable {
    /// PostgreSQL 13+.
    case postgres
    /// SQLite 3.35+.
    case sqlite
}

/// One numbered, named schema change. Versions only grow; a shipped migration never changes.
package struct Migration: Sendable {
    /// The version this migration brings the schema to.
    package var version: Int
    /// A stable name, recorded with the version.
    package var name: String
    /// The statements, per dialect.
    package var statements: @Sendable (SQLDialect) -> [String]
}

/// Every migration, in order.
package enum Migrations {
    /// The migrations; the last one's version is the schema version this build needs.
    package static let all: [Migration] = [
        Migration(version: 1, name: "0001_records") { dialect in firstRecordKinds.flatMap { recordTable($0, dialect) } },
        Migration(version: 2, name: "0002_jobs") { dialect in jobsTable(dialect) },
        Migration(version: 3, name: "0003_workspaces") { dialect in recordTable(.workspaces, dialect) },
        Migration(version: 4, name: "0004_job_queue") { dialect in jobQueue(dialect) },
        Migration(version: 5, name: "0005_element_layers") { dialect in elementLayers(dialect) },
        Migration(version: 6, name: "0006_connection_requests") { dialect in recordTable(.connectionRequests, dialect) },
        Migration(version: 7, name: "0007_webhook_deliveries") { dialect in recordTable(.webhookDeliveries, dialect) },
        Migration(version: 8, name: "0008_console_sessions") { dialect in recordTable(.consoleSessions, dialect) },
        Migration(version: 9, name: "0009_console_lists") { dialect in consoleLists(dialect) },
        Migration(version: 10, name: "0010_console_oidc_logins") { dialect in recordTable(.consoleOIDCLogins, dialect) },
        Migration(version: 11, name: "0011_data_sync") { dialect in dataSync(dialect) },
    ]

    /// The kinds the first migration created; later kinds come with migrations of their own.
    static let firstRecordKinds = RecordKind.allCases.filter {
        ![.workspaces, .connectionRequests, .webhookDeliveries, .consoleSessions, .consoleOIDCLogins, .externalEventPulls].contains($0)
    }

    /// The schema version this build needs.
    package static var latestVersion: Int { all.last?.version ?? 0 }

    /// The table of migrations already applied.
    static func bookkeeping(_ dialect: SQLDialect) -> String {
        "CREATE TABLE IF NOT EXISTS sy_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_us BIGINT NOT NULL)"
    }

    static func recordTable(_ kind: RecordKind, _ dialect: SQLDialect) -> [String] {
        let table = kind.table
        let json = dialect == .postgres ? "JSONB" : "TEXT"
        return [
            """
            CREATE TABLE \(table) (
              id TEXT PRIMARY KEY,
              workspace_id TEXT NOT NULL,
              tenant_id TEXT,
              key TEXT,
              parent_id TEXT,
              created_us BIGINT NOT NULL,
              updated_us BIGINT NOT NULL,
              archived_us BIGINT,
              revision BIGINT NOT NULL DEFAULT 1,
              doc \(json) NOT NULL,
              secret TEXT
            )
            """,
            "CREATE INDEX \(table)_scope_idx ON \(table) (workspace_id, tenant_id, created_us, id)",
            "CREATE INDEX \(table)_list_idx ON \(table) (workspace_id, created_us, id)",
            "CREATE INDEX \(table)_parent_idx ON \(table) (workspace_id, parent_id) WHERE parent_id IS NOT NULL",
            "CREATE UNIQUE INDEX \(table)_key_idx ON \(table) (workspace_id, COALESCE(tenant_id, ''), key) WHERE key IS NOT NULL AND archived_us IS NULL",
        ]
    }

    static func jobsTable(_ dialect: SQLDialect) -> [String] {
        let json = dialect == .postgres ? "JSONB" : "TEXT"
        let id = dialect == .postgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"
        return [
            """
            CREATE TABLE sy_jobs (
              id \(id),
              state TEXT NOT NULL DEFAULT 'available',
              queue TEXT NOT NULL,
              kind TEXT NOT NULL,
              priority SMALLINT NOT NULL DEFAULT 1,
              args \(json) NOT NULL,
              attempt INTEGER NOT NULL DEFAULT 0,
              max_attempts INTEGER NOT NULL DEFAULT 25,
              errors \(json),
              workspace_id TEXT,
              tenant_id TEXT,
              connection_id TEXT,
              unique_key TEXT,
              scheduled_us BIGINT NOT NULL,
              created_us BIGINT NOT NULL,
              attempted_us BIGINT,
              finalized_us BIGINT,
              attempted_by TEXT,
              lease_expires_us BIGINT
            )
            """,
            "CREATE INDEX sy_jobs_fetch_idx ON sy_jobs (queue, state, priority, scheduled_us, id)",
            "CREATE INDEX sy_jobs_lease_idx ON sy_jobs (lease_expires_us) WHERE state = 'running'",
            "CREATE INDEX sy_jobs_tenant_idx ON sy_jobs (tenant_id, state) WHERE tenant_id IS NOT NULL",
            "CREATE UNIQUE INDEX sy_jobs_unique_idx ON sy_jobs (kind, unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'running', 'retryable')",
        ]
    }
}

/// Applies and checks migrations on one database.
package protocol Migrator: Sendable {
    /// Applies every pending migration. Safe to run from several processes at once: exactly one
    /// applies each migration, the others wait and find nothing to do.
    /// - Returns: The versions this call applied.
    func migrate() async throws(SwitchyardError) -> [Int]
    /// The schema version of the database (0 when empty).
    func currentVersion() async throws(SwitchyardError) -> Int
}

extension Migrator {
    /// Refuses to run against an older (or newer) schema than this build's.
    /// - Throws: `unavailable` with the versions and what to do.
    package func check() async throws(SwitchyardError) {
        if let problem = Migrations.mismatch(current: try await currentVersion()) {
            throw SwitchyardError(.unavailable, problem)
        }
    }
}

extension Migrations {
    /// What is wrong when a database's schema version is not this build's, or `nil`.
    /// - Parameter current: The database's schema version.
    package static func mismatch(current: Int) -> String? {
        if current < latestVersion {
            return "the database schema is at version \(current) and this build needs \(latestVersion): run `switchyard migrate`"
        }
        if current > latestVersion {
            return "the database schema is at version \(current), newer than this build's \(latestVersion): upgrade Switchyard"
        }
        return nil
    }
}
