import SwitchyardCore

/// The job-queue statements both backends run, with `?` placeholders. Where PostgreSQL and
/// SQLite differ (JSON, locking clauses) the dialect picks the text.
enum JobSQL {
    /// The columns every job read selects, in ``Job`` order.
    static func columns(_ dialect: SQLDialect) -> String {
        let json = dialect == .postgres ? "args::text, errors::text" : "args, errors"
        return "id, state, queue, kind, priority, \(json), attempt, max_attempts, workspace_id, tenant_id, connection_id, unique_key, "
            + "scheduled_us, created_us, attempted_us, finalized_us, attempted_by, lease_expires_us"
    }

    /// `?, ?, …` for an IN list.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: max(count, 1)).joined(separator: ", ")
    }

    /// A JSON array expression with one more attempt error appended; binds `at`, `error`.
    static func appendError(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .postgres:
            "COALESCE(errors, '[]'::jsonb) || jsonb_build_array(jsonb_build_object('attempt', attempt, 'at', ?::bigint, 'error', ?::text))"
        case .sqlite:
            "json_insert(COALESCE(errors, '[]'), '$[#]', json_object('attempt', attempt, 'at', ?, 'error', ?))"
        }
    }

    static func insert(_ dialect: SQLDialect) -> String {
        let json = dialect == .postgres ? "?::jsonb" : "?"
        return "INSERT INTO sy_jobs (state, queue, kind, priority, args, max_attempts, workspace_id, tenant_id, connection_id, unique_key, scheduled_us, created_us) "
            + "VALUES (?, ?, ?, ?, \(json), ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id"
    }

    /// The arguments of ``insert(_:)`` for one job.
    static func insertArguments(_ job: NewJob, now: Int64) -> [SQLArgument] {
        let scheduled = max(job.scheduledAt ?? now, 0)
        let state: JobState = scheduled > now ? .scheduled : .available
        return [
            .text(state.rawValue), .text(job.queue.rawValue), .text(job.kind), .int(Int64(job.priority)), .text(job.args.jsonText),
            .int(Int64(job.maxAttempts)), .text(job.workspaceID ?? ""), .text(job.tenantID ?? ""), .text(job.connectionID ?? ""),
            .text(job.uniqueKey), .int(scheduled), .int(now),
        ]
    }

    static let pendingStates = "('available', 'scheduled', 'running', 'retryable')"

    static let existingUnique = "SELECT id FROM sy_jobs WHERE kind = ? AND unique_key = ? AND state IN \(pendingStates)"

    static let waitingOnConnection =
        "SELECT COUNT(*) FROM sy_jobs WHERE connection_id = ? AND queue = 'queued' AND state IN ('available', 'scheduled', 'retryable')"

    static func fetchFIFO(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .postgres:
            """
            WITH picked AS MATERIALIZED (
              SELECT id FROM sy_jobs WHERE queue = ? AND state = 'available' ORDER BY priority, scheduled_us, id LIMIT ? FOR UPDATE SKIP LOCKED
            )
            UPDATE sy_jobs SET state = 'running', attempt = attempt + 1, attempted_us = ?, attempted_by = ?, lease_expires_us = ?
            WHERE id IN (SELECT id FROM picked) RETURNING \(columns(dialect))
            """
        case .sqlite:
            """
            UPDATE sy_jobs SET state = 'running', attempt = attempt + 1, attempted_us = ?3, attempted_by = ?4, lease_expires_us = ?5
            WHERE id IN (SELECT id FROM sy_jobs WHERE queue = ?1 AND state = 'available' ORDER BY priority, scheduled_us, id LIMIT ?2)
            RETURNING \(columns(dialect))
            """
        }
    }

    static func start(_ dialect: SQLDialect, count: Int) -> String {
        "UPDATE sy_jobs SET state = 'running', attempt = attempt + 1, attempted_us = ?, attempted_by = ?, lease_expires_us = ? "
            + "WHERE state = 'available' AND id IN (\(placeholders(count))) RETURNING \(columns(dialect))"
    }

    static let runningGroups =
        "SELECT tenant_id, connection_id, COUNT(*) FROM sy_jobs WHERE queue = ? AND state = 'running' GROUP BY tenant_id, connection_id"

    static let firstPair =
        "SELECT tenant_id, connection_id FROM sy_jobs WHERE queue = 'queued' AND state = 'available' ORDER BY tenant_id, connection_id LIMIT 1"

    static let nextPair =
        "SELECT tenant_id, connection_id FROM sy_jobs WHERE queue = 'queued' AND state = 'available' AND (tenant_id, connection_id) > (?, ?) ORDER BY tenant_id, connection_id LIMIT 1"

    static let pairHead =
        "SELECT id, workspace_id, tenant_id, connection_id, priority, scheduled_us FROM sy_jobs "
        + "WHERE queue = 'queued' AND state = 'available' AND tenant_id = ? AND connection_id = ? ORDER BY priority, scheduled_us, id LIMIT 1"

    // Fairness applies to the queued queue only; its statements name the queue literally so the
    // planner uses the partial index `sy_jobs_fair_idx`.

    /// PostgreSQL: every (tenant, connection) pair's first available queued job in one statement, by a
    /// loose index scan (a recursive CTE that hops from one pair to the next in the index).
    static let pairHeadsPostgres = """
        WITH RECURSIVE pairs(tenant_id, connection_id) AS (
          (SELECT tenant_id, connection_id FROM sy_jobs WHERE queue = 'queued' AND state = 'available' ORDER BY tenant_id, connection_id LIMIT 1)
          UNION ALL
          SELECT n.tenant_id, n.connection_id FROM pairs p CROSS JOIN LATERAL (
            SELECT tenant_id, connection_id FROM sy_jobs WHERE queue = 'queued' AND state = 'available' AND (tenant_id, connection_id) > (p.tenant_id, p.connection_id)
            ORDER BY tenant_id, connection_id LIMIT 1
          ) n
        )
        SELECT h.id, h.workspace_id, h.tenant_id, h.connection_id, h.priority, h.scheduled_us
        FROM (SELECT * FROM pairs LIMIT $1) p CROSS JOIN LATERAL (
          SELECT id, workspace_id, tenant_id, connection_id, priority, scheduled_us FROM sy_jobs
          WHERE queue = 'queued' AND state = 'available' AND tenant_id = p.tenant_id AND connection_id = p.connection_id
          ORDER BY priority, scheduled_us, id LIMIT 1
        ) h
        """

    static func turns(count: Int) -> String {
        "SELECT tenant_id, served_us FROM sy_job_turns WHERE queue = ? AND tenant_id IN (\(placeholders(count)))"
    }

    static let recordTurn =
        "INSERT INTO sy_job_turns (queue, tenant_id, served_us) VALUES (?, ?, ?) ON CONFLICT (queue, tenant_id) DO UPDATE SET served_us = excluded.served_us"

    static func limitRows(count: Int) -> String {
        "SELECT workspace_id, tenant_id, running_per_connection, running_per_tenant, queue_per_connection FROM sy_job_limits WHERE workspace_id IN (\(placeholders(count)))"
    }

    static func heartbeat(count: Int) -> String {
        "UPDATE sy_jobs SET lease_expires_us = ? WHERE state = 'running' AND attempted_by = ? AND id IN (\(placeholders(count))) RETURNING id"
    }

    static func complete(count: Int) -> String {
        "UPDATE sy_jobs SET state = 'completed', finalized_us = ?, lease_expires_us = NULL "
            + "WHERE state = 'running' AND attempted_by = ? AND id IN (\(placeholders(count))) RETURNING id"
    }

    /// Binds: at, error, discard (0/1), retryAt, discard, now, id, worker.
    static func fail(_ dialect: SQLDialect) -> String {
        """
        UPDATE sy_jobs SET
          errors = \(appendError(dialect)),
          state = CASE WHEN ? = 1 OR attempt >= max_attempts THEN 'discarded' ELSE 'retryable' END,
          scheduled_us = ?, lease_expires_us = NULL,
          finalized_us = CASE WHEN ? = 1 OR attempt >= max_attempts THEN ? ELSE NULL END
        WHERE id = ? AND state = 'running' AND attempted_by = ? RETURNING state
        """
    }

    static let snooze =
        "UPDATE sy_jobs SET state = CASE WHEN ? > ? THEN 'scheduled' ELSE 'available' END, scheduled_us = ?, attempt = attempt - 1, lease_expires_us = NULL "
        + "WHERE id = ? AND state = 'running' AND attempted_by = ? RETURNING id"

    static func cancel(_ dialect: SQLDialect, byWorker: Bool) -> String {
        "UPDATE sy_jobs SET state = 'cancelled', finalized_us = ?, lease_expires_us = NULL, errors = \(appendError(dialect)) "
            + "WHERE id = ? AND state IN \(pendingStates)" + (byWorker ? " AND state = 'running' AND attempted_by = ?" : "")
            + " RETURNING \(columns(dialect))"
    }

    static func release(count: Int) -> String {
        "UPDATE sy_jobs SET state = 'available', attempt = attempt - 1, lease_expires_us = NULL "
            + "WHERE state = 'running' AND attempted_by = ? AND id IN (\(placeholders(count)))"
    }

    static func promoteDue(_ dialect: SQLDialect) -> String {
        let lock = dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return "UPDATE sy_jobs SET state = 'available' WHERE id IN "
            + "(SELECT id FROM sy_jobs WHERE state IN ('scheduled', 'retryable') AND scheduled_us <= ? ORDER BY scheduled_us LIMIT ?\(lock)) "
            + "RETURNING queue"
    }

    /// Binds: at, error, now, now, now, limit.
    static func rescue(_ dialect: SQLDialect) -> String {
        let lock = dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return """
            UPDATE sy_jobs SET
              errors = \(appendError(dialect)),
              state = CASE WHEN attempt >= max_attempts THEN 'discarded' ELSE 'available' END,
              finalized_us = CASE WHEN attempt >= max_attempts THEN ? ELSE NULL END,
              scheduled_us = ?, lease_expires_us = NULL
            WHERE id IN (SELECT id FROM sy_jobs WHERE state = 'running' AND lease_expires_us < ? LIMIT ?\(lock))
            RETURNING queue
            """
    }

    static let deleteFinished =
        "DELETE FROM sy_jobs WHERE id IN (SELECT id FROM sy_jobs WHERE state = ? AND finalized_us < ? LIMIT ?)"

    static func byID(_ dialect: SQLDialect) -> String { "SELECT \(columns(dialect)) FROM sy_jobs WHERE id = ?" }

    static func list(_ dialect: SQLDialect, states: Int) -> String {
        "SELECT \(columns(dialect)) FROM sy_jobs WHERE state IN (\(placeholders(states))) AND id > ? ORDER BY id LIMIT ?"
    }

    static func retry(_ dialect: SQLDialect) -> String {
        "UPDATE sy_jobs SET state = 'available', scheduled_us = ?, finalized_us = NULL, lease_expires_us = NULL, "
            + "max_attempts = CASE WHEN attempt >= max_attempts THEN attempt + 1 ELSE max_attempts END "
            + "WHERE id = ? AND state IN ('completed', 'cancelled', 'discarded') RETURNING \(columns(dialect))"
    }

    static let counts = "SELECT queue, state, COUNT(*) FROM sy_jobs GROUP BY queue, state"

    static let due = "SELECT queue, COUNT(*) FROM sy_jobs WHERE state IN ('scheduled', 'retryable') AND scheduled_us <= ? GROUP BY queue"

    static let acquireLease =
        "INSERT INTO sy_leases (name, holder, expires_us) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_us = excluded.expires_us "
        + "WHERE sy_leases.expires_us < ? OR sy_leases.holder = excluded.holder RETURNING holder"

    static let releaseLease = "DELETE FROM sy_leases WHERE name = ? AND holder = ?"

    static let recordTick =
        "UPDATE sy_schedules SET last_tick_us = ? WHERE name = ? AND (last_tick_us IS NULL OR last_tick_us < ?) RETURNING name"

    static let lastTick = "SELECT last_tick_us FROM sy_schedules WHERE name = ?"

    static func saveSchedule(_ dialect: SQLDialect) -> String {
        let json = dialect == .postgres ? "?::jsonb" : "?"
        return "INSERT INTO sy_schedules (name, definition, created_us) VALUES (?, \(json), ?) ON CONFLICT (name) DO UPDATE SET definition = excluded.definition"
    }

    static let deleteSchedule = "DELETE FROM sy_schedules WHERE name = ? RETURNING name"

    static func schedules(_ dialect: SQLDialect) -> String {
        "SELECT name, \(dialect == .postgres ? "definition::text" : "definition"), created_us, last_tick_us FROM sy_schedules ORDER BY name"
    }

    static let recordWorker =
        "INSERT INTO sy_workers (id, queue, busy, seen_us) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET busy = excluded.busy, seen_us = excluded.seen_us"

    static let removeWorker = "DELETE FROM sy_workers WHERE id = ?"

    static let liveWorkers = "SELECT COUNT(*) FROM sy_workers WHERE queue = ? AND seen_us >= ?"

    static let setLimits =
        "INSERT INTO sy_job_limits (workspace_id, tenant_id, running_per_connection, running_per_tenant, queue_per_connection) VALUES (?, ?, ?, ?, ?) "
        + "ON CONFLICT (workspace_id, tenant_id) DO UPDATE SET running_per_connection = excluded.running_per_connection, "
        + "running_per_tenant = excluded.running_per_tenant, queue_per_connection = excluded.queue_per_connection"

    static let clearLimits = "DELETE FROM sy_job_limits WHERE workspace_id = ? AND tenant_id = ?"

    static let getLimits =
        "SELECT running_per_connection, running_per_tenant, queue_per_connection FROM sy_job_limits WHERE workspace_id = ? AND tenant_id = ?"

    /// One workspace's jobs, newest first (``WorkspaceJobQuery/arguments``).
    static func workspaceList(_ dialect: SQLDialect, _ query: WorkspaceJobQuery) -> String {
        let states = query.states.isEmpty ? JobState.allCases.count : query.states.count
        return "SELECT \(columns(dialect)) FROM sy_jobs WHERE workspace_id = ?" + (query.queue == nil ? "" : " AND queue = ?")
            + " AND state IN (\(placeholders(states))) AND id < ? ORDER BY id DESC LIMIT ?"
    }

    static let workspaceCounts = "SELECT queue, state, COUNT(*) FROM sy_jobs WHERE workspace_id = ? GROUP BY queue, state"

    static let workers = "SELECT id, queue, busy, seen_us FROM sy_workers WHERE seen_us >= ? ORDER BY seen_us DESC, id"

    static let leases = "SELECT name, holder, expires_us FROM sy_leases ORDER BY name"
}
