import Foundation
import Logging
import Testing

import SwitchyardCore
import SwitchyardStore

/// Migrations at start-up and from the command line, and key rotation, on the real binary.
@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the built switchyard binary"))
struct StoreCommandTests {
    @Test func migrateAppliesEveryMigrationOnceThenReportsUpToDate() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let first = try await SwitchyardProcess.run(["migrate"], environment: ["DATA_DIR": directory])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("applied \(Migrations.all.map(\.name).joined(separator: ", "))"))
        let second = try await SwitchyardProcess.run(["migrate"], environment: ["DATA_DIR": directory])
        #expect(second.status == 0)
        #expect(second.output.contains("is up to date (schema version \(Migrations.latestVersion))"))
    }

    @Test func roleAgainstAnUnmigratedDatabaseRefusesToStartAndSaysToMigrate() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let start = ContinuousClock.now
        // Retries would wait at least 10 + 20 + 40 s with these settings: an answer within 60 s
        // shows there were none, however slow the machine.
        let refused = try await SwitchyardProcess.run(
            ["serve", "--role", "api"], environment: ["DATA_DIR": directory, "HEALTH_CHECK_RETRY_DELAY_MS": "20000", "HEALTH_CHECK_MAX_RETRY_DELAY_MS": "80000"]
        )
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.output.contains("the database schema is at version 0 and this build needs \(Migrations.latestVersion): run `switchyard migrate`"))
        #expect(!refused.output.contains("raise HEALTH_CHECK_RETRIES"), "retrying cannot fix an old schema")
        #expect(ContinuousClock.now - start < .seconds(60), "it refuses at once rather than after every retry")
        #expect(try await SwitchyardProcess.run(["migrate"], environment: ["DATA_DIR": directory]).status == 0)
        let api = try SwitchyardProcess(["serve", "--role", "api"], environment: ["DATA_DIR": directory])
        _ = try await api.waitUntilHealthy()
        try await api.stop()
    }

    @Test func allInOneMigratesAtStart() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let all = try SwitchyardProcess(["serve"], environment: ["DATA_DIR": directory])
        _ = try await all.waitUntilHealthy()
        try await all.stop()
        #expect(all.output.contains("database migrated"))
        let api = try SwitchyardProcess(["serve", "--role", "api"], environment: ["DATA_DIR": directory])
        _ = try await api.waitUntilHealthy()
        try await api.stop()
    }

    @Test(.enabled(if: TestEnvironment.canUsePostgres, "needs PostgreSQL (scripts/test)"))
    func twoProcessesMigratingOnePostgresDatabaseAtOnceBothSucceedAndApplyOnce() async throws {
        let database = try PostgresTestDatabase.create(adminURL: try #require(TestEnvironment.postgresURL))
        defer { database.drop() }
        let port = try #require(URLComponents(string: TestEnvironment.postgresURL!)?.port)
        let environment = ["DATABASE_URL": database.url(port: port)]
        async let a = SwitchyardProcess.run(["migrate"], environment: environment)
        async let b = SwitchyardProcess.run(["migrate"], environment: environment)
        let results = try await [a, b]
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.output))")
        #expect(results.filter { $0.output.contains("applied") }.count == 1, "exactly one process applies the migrations")
        #expect(results.filter { $0.output.contains("is up to date") }.count == 1)
    }

    @Test func rotateEncryptionKeyReencryptsStoredSecrets() async throws {
        let directory = try await SwitchyardProcess.migratedDataDirectory(environment: ["ENCRYPTION_SECRET": "old-encryption-secret-000001"])
        let location = DatabaseLocation.sqlite(path: directory + "/switchyard.sqlite")
        let cursors = PageCursor(secret: "any-cursor-secret-0123456789")
        let scope = StoreScope.tenant("t1", in: "w1")
        let old = try OpenStore.open(location, keys: KeyRing(secret: "old-encryption-secret-000001"), cursors: cursors, logger: Logger(label: "test"))
        let id = try await old.records.insert(NewRecord(kind: .connections, secret: ["token": "keep-me-secret"]), scope: scope).id

        let missing = try await SwitchyardProcess.run(["rotate-encryption-key"], environment: ["DATA_DIR": directory, "ENCRYPTION_SECRET": "new-encryption-secret-000002"])
        #expect(missing.status == 1)
        #expect(missing.output.contains("ENCRYPTION_SECRET_PREVIOUS"), "\(missing.output)")

        let rotated = try await SwitchyardProcess.run(["rotate-encryption-key", "--batch-size", "10"], environment: [
            "DATA_DIR": directory, "ENCRYPTION_SECRET": "new-encryption-secret-000002", "ENCRYPTION_SECRET_PREVIOUS": "old-encryption-secret-000001",
        ])
        #expect(rotated.status == 0, "\(rotated.output)")
        #expect(rotated.output.contains("connections: re-encrypted 1"))
        #expect(!rotated.output.contains("keep-me-secret"))
        let new = try OpenStore.open(location, keys: KeyRing(secret: "new-encryption-secret-000002"), cursors: cursors, logger: Logger(label: "test"))
        #expect(try await new.records.get(.connections, id: id, scope: scope).secret == ["token": "keep-me-secret"])
    }
}
