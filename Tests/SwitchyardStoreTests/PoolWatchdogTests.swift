import Foundation
import Logging
import PostgresNIO
import Testing

import SwitchyardCore
@testable import SwitchyardStore

/// The pool watchdog: a pool that stops serving requests while the database answers is
/// replaced, so callers get an answer (an error to retry, then results) instead of waiting forever.
@Suite(.enabled(if: Backend.postgresURL != nil || Backend.requireAll, "needs PostgreSQL"))
struct PoolWatchdogTests {
    @Test("A pool that serves nothing while the database answers is replaced; the waiting call gets an answer and later calls succeed")
    func stalledPoolIsReplaced() async throws {
        let database = try await TestDatabase.create(.postgres, keys: KeyRing(secret: "watchdog-encryption-secret-01"))
        guard case .postgres(let url) = database.location else { return }
        var settings = PostgresRecordStore.PoolSettings(maxConnections: 1)
        settings.listensForJobs = false
        settings.watchdog = SupervisedPostgresClient.Watchdog(nudgeAfter: .milliseconds(500), replaceAfter: .seconds(2), startGrace: .seconds(1))
        // Migrate first through a store with the default watchdog: with one connection, a long
        // migration on a loaded machine would look like a stall to this test's eager settings.
        try await Self.migrate(url, database)
        let store = try PostgresRecordStore(url: url, pool: settings, keys: database.keys, cursors: database.cursors, logger: TestDatabase.logger)
        let scope = StoreScope.tenant("t1", in: "w1")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            // Take the pool's only connection and never give it back: the pool serves nothing more.
            let hog = Task { try await store.client.withConnection { _ in try await Task.sleep(for: .seconds(120)) } }
            defer { hog.cancel() }
            try await Task.sleep(for: .milliseconds(300))

            let started = ContinuousClock.now
            // A request without a time limit (as migrations are) waiting in the stalled pool is
            // answered when the pool is replaced, not left waiting for a pool nobody runs.
            let unlimited = Task { try await store.run(limited: false) { client, logger in try await client.query("SELECT 1", logger: logger).collect().count } }
            // The call queued in the stalled pool gets an answer: an error to retry, or its result.
            do {
                _ = try await store.list(.flowRuns, scope: scope, filter: RecordFilter(), limit: 10, cursor: nil)
            } catch let error as SwitchyardError {
                #expect(error.key == .unavailable, "\(error)")
            }
            _ = await unlimited.result
            let waited = ContinuousClock.now - started
            #expect(waited < .seconds(40), "the watchdog took \(waited)")
            // On a loaded machine a fresh pool can itself be slow to connect and be replaced again.
            #expect(store.pool.replacements >= 1)

            let record = try await store.insert(NewRecord(kind: .flowRuns, document: ["after": true]), scope: scope)
            #expect(try await store.get(.flowRuns, id: record.id, scope: scope).document["after"] == true)
        }
        try await TestDatabase.drop(database)
    }

    @Test("A request that hangs while the pool serves others is given up with unavailable, and the pool is replaced once the database answers")
    func hungRequestIsGivenUp() async throws {
        let database = try await TestDatabase.create(.postgres, keys: KeyRing(secret: "watchdog-encryption-secret-03"))
        guard case .postgres(let url) = database.location else { return }
        var settings = PostgresRecordStore.PoolSettings(maxConnections: 4)
        settings.listensForJobs = false
        settings.watchdog = SupervisedPostgresClient.Watchdog(nudgeAfter: .seconds(60), replaceAfter: .seconds(60), abandonAfter: .seconds(1))
        let store = try PostgresRecordStore(url: url, pool: settings, keys: database.keys, cursors: database.cursors, logger: TestDatabase.logger)
        let scope = StoreScope.tenant("t1", in: "w1")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            _ = try await store.migrate()
            let started = ContinuousClock.now
            // A request whose answer never comes (as on a connection the server dropped) while
            // other requests keep going through.
            let hung = Task {
                try await store.run { client, logger in
                    try await client.withConnection { _ in try await Task.sleep(for: .seconds(120)) }
                }
            }
            for _ in 0..<5 {
                _ = try await store.list(.flowRuns, scope: scope, filter: RecordFilter(), limit: 10, cursor: nil)
                try await Task.sleep(for: .milliseconds(100))
            }
            await #expect(throws: SwitchyardError.self) { try await hung.value }
            #expect(ContinuousClock.now - started < .seconds(10))
            let deadline = ContinuousClock.now + .seconds(10)
            while store.pool.replacements == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(store.pool.replacements >= 1)
            let record = try await store.insert(NewRecord(kind: .flowRuns, document: ["after": true]), scope: scope)
            #expect(try await store.get(.flowRuns, id: record.id, scope: scope).document["after"] == true)
        }
        try await TestDatabase.drop(database)
    }

    @Test("A slow query is not mistaken for a stalled pool: the probe is served, nothing is replaced")
    func slowQueriesAreLeftAlone() async throws {
        let database = try await TestDatabase.create(.postgres, keys: KeyRing(secret: "watchdog-encryption-secret-02"))
        guard case .postgres(let url) = database.location else { return }
        var settings = PostgresRecordStore.PoolSettings(maxConnections: 4)
        settings.listensForJobs = false
        // The probe needs a second connection; on a loaded machine (the full suite starts dozens of
        // servers at once on two cores) opening one can take many seconds. The query outlasts
        // replaceAfter, so only a served probe keeps the pool.
        settings.watchdog = SupervisedPostgresClient.Watchdog(nudgeAfter: .milliseconds(500), replaceAfter: .seconds(15), startGrace: .seconds(1))
        let store = try PostgresRecordStore(url: url, pool: settings, keys: database.keys, cursors: database.cursors, logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            _ = try await store.migrate()
            let slept = try await store.run { client, logger in
                try await client.query("SELECT pg_sleep(18)", logger: logger).collect().count
            }
            #expect(slept == 1)
            #expect(store.pool.replacements == 0)
        }
        try await TestDatabase.drop(database)
    }

    /// Applies the migrations through a store with the default watchdog.
    static func migrate(_ url: PostgresURL, _ database: TestDatabase) async throws {
        var settings = PostgresRecordStore.PoolSettings(maxConnections: 2)
        settings.listensForJobs = false
        let store = try PostgresRecordStore(url: url, pool: settings, keys: database.keys, cursors: database.cursors, logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            _ = try await store.migrate()
        }
    }
}
