extension Migrations {
    /// The job queue as the workers use it. Version 2's `sy_jobs` was never written by any
    /// release, so it is replaced: tenant, workspace and connection become `''` when absent (so
    /// the fairness index can walk (tenant, connection) pairs), plus leases, schedules, worker
    /// presence, turn-taking and limits.
    static func jobQueue(_ dialect: SQLDialect) -> [String] {
        let json = dialect == .postgres ? "JSONB" : "TEXT"
        let id = dialect == .postgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"
        return [
            "DROP TABLE sy_jobs",
            """
            CREATE TABLE sy_jobs (
              id \(id),
              state TEXT NOT NULL,
              queue TEXT NOT NULL,
              kind TEXT NOT NULL,
              priority SMALLINT NOT NULL,
              args \(json) NOT NULL,
              attempt INTEGER NOT NULL DEFAULT 0,
              max_attempts INTEGER NOT NULL,
              errors \(json),
              workspace_id TEXT NOT NULL DEFAULT '',
              tenant_id TEXT NOT NULL DEFAULT '',
              connection_id TEXT NOT NULL DEFAULT '',
              unique_key TEXT,
              scheduled_us BIGINT NOT NULL,
              created_us BIGINT NOT NULL,
              attempted_us BIGINT,
              finalized_us BIGINT,
              attempted_by TEXT,
              lease_expires_us BIGINT,
              CHECK (state IN ('available', 'scheduled', 'running', 'retryable', 'completed', 'cancelled', 'discarded')),
              CHECK (queue IN ('instant', 'queued')),
              CHECK (priority BETWEEN 1 AND 4)
            )
            """,
            "CREATE INDEX sy_jobs_fetch_idx ON sy_jobs (queue, priority, scheduled_us, id) WHERE state = 'available'",
            "CREATE INDEX sy_jobs_fair_idx ON sy_jobs (queue, tenant_id, connection_id, priority, scheduled_us, id) WHERE state = 'available' AND queue = 'queued'",
            "CREATE INDEX sy_jobs_running_idx ON sy_jobs (queue, lease_expires_us) WHERE state = 'running'",
            "CREATE INDEX sy_jobs_due_idx ON sy_jobs (scheduled_us) WHERE state IN ('scheduled', 'retryable')",
            "CREATE INDEX sy_jobs_connection_idx ON sy_jobs (connection_id, queue, state) WHERE connection_id <> ''",
            "CREATE INDEX sy_jobs_finished_idx ON sy_jobs (state, finalized_us) WHERE finalized_us IS NOT NULL",
            "CREATE INDEX sy_jobs_dead_idx ON sy_jobs (state, id) WHERE state IN ('discarded', 'cancelled')",
            "CREATE UNIQUE INDEX sy_jobs_unique_idx ON sy_jobs (kind, unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'running', 'retryable')",
            "CREATE TABLE sy_leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_us BIGINT NOT NULL)",
            """
            CREATE TABLE sy_schedules (
              name TEXT PRIMARY KEY, definition \(json) NOT NULL, created_us BIGINT NOT NULL, last_tick_us BIGINT
            )
            """,
            "CREATE TABLE sy_workers (id TEXT PRIMARY KEY, queue TEXT NOT NULL, busy SMALLINT NOT NULL, seen_us BIGINT NOT NULL)",
            "CREATE TABLE sy_job_turns (queue TEXT NOT NULL, tenant_id TEXT NOT NULL, served_us BIGINT NOT NULL, PRIMARY KEY (queue, tenant_id))",
            """
            CREATE TABLE sy_job_limits (
              workspace_id TEXT NOT NULL, tenant_id TEXT NOT NULL,
              running_per_connection INTEGER, running_per_tenant INTEGER, queue_per_connection INTEGER,
              PRIMARY KEY (workspace_id, tenant_id)
            )
            """,
        ]
    }
}
