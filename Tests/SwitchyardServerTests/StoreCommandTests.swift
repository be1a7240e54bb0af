import Foundation
import Logging
import SwitchyardCore
import SwitchyardStore
import Testing

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
            ["serve", "--role", "api"],
            environment: ["DATA_DIR": directory, "HEALTH_CHECK_RETRY_DELAY_MS": "20000", "HEALTH_CHECK_MAX_RETRY_DELAY_MS": "80000"]
        )
        #expect(refused.status == 1, "\(refused.output)")
        #expect(
            refused.output.contains("the database schema is at version 0 and this build needs \(Migrations.latestVersion): run `switchyard migrate`"))
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

        let missing = try await SwitchyardProcess.run(
            ["rotate-encryption-key"], environment: ["DATA_DIR": directory, "ENCRYPTION_SECRET": "new-encryption-secret-000002"])
        #expect(missing.status == 1)
        #expect(missing.output.contains("ENCRYPTION_SECRET_PREVIOUS"), "\(missing.output)")

        let rotated = try await SwitchyardProcess.run(
            ["rotate-encryption-key", "--batch-size", "10"],
            environment: [
                "DATA_DIR": directory, "ENCRYPTION_SECRET": "new-encryption-secret-000002",
                "ENCRYPTION_SECRET_PREVIOUS": "old-encryption-secret-000001",
            ])
        #expect(rotated.status == 0, "\(rotated.output)")
        #expect(rotated.output.contains("connections: re-encrypted 1"))
        #expect(!rotated.output.contains("keep-me-secret"))
        let new = try OpenStore.open(location, keys: KeyRing(secret: "new-encryption-secret-000002"), cursors: cursors, logger: Logger(label: "test"))
        #expect(try await new.records.get(.connections, id: id, scope: scope).secret == ["token": "keep-me-secret"])
    }

    /// A command that needs the schema, on a fresh `DATA_DIR`, and what it must print.
    struct FirstRunCommand: Sendable, CustomTestStringConvertible {
        /// The command line.
        var arguments: [String]
        /// Text the output must contain (the lists of a fresh install are empty: only the log line).
        var expected: String
        /// Commands about one job or schedule find none on a fresh install: their answer is
        /// "not found" (status 1), which shows they read the migrated schema.
        var status: Int32 = 0

        /// The name in the test report.
        var testDescription: String { arguments.joined(separator: " ") }
    }

    /// Every command that uses the database.
    static let firstRunCommands: [FirstRunCommand] = [
        .init(arguments: ["workspace", "credentials"], expected: "WORKSPACE_SECRET="),
        .init(arguments: ["workspace", "rotate-secret"], expected: "the previous secret is accepted"),
        .init(arguments: ["workspace", "set-public-key", "--clear"], expected: "public key removed"),
        .init(arguments: ["token", "--tenant", "acme"], expected: "eyJ"),
        .init(arguments: ["jobs", "list"], expected: "database migrated"),
        .init(arguments: ["jobs", "enqueue", "--kind", "diagnostics.noop"], expected: #"{"id":1,"inserted":true}"#),
        .init(arguments: ["jobs", "set-limits", "--workspace", "w1", "--running-per-tenant", "2"], expected: "limits set"),
        .init(arguments: ["jobs", "show", "1"], expected: "job 1 not found", status: 1),
        .init(arguments: ["jobs", "retry", "1"], expected: "job 1 not found", status: 1),
        .init(arguments: ["jobs", "cancel", "1"], expected: "job 1 not found", status: 1),
        .init(arguments: ["schedules", "list"], expected: "database migrated"),
        .init(arguments: ["schedules", "set", "nightly", "--kind", "diagnostics.noop", "--every", "60"], expected: "schedule nightly saved"),
        .init(arguments: ["schedules", "delete", "nightly"], expected: "no schedule named nightly", status: 1),
        .init(arguments: ["rotate-encryption-key"], expected: "every secret is sealed with key"),
    ]

    /// First run: every command that needs the schema works on a fresh `DATA_DIR` (the embedded
    /// SQLite database), migrating it as all-in-one `serve` does, with no `switchyard migrate` first.
    @Test(arguments: firstRunCommands)
    func commandOnAFreshDataDirectoryMigratesTheEmbeddedDatabase(command: FirstRunCommand) async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let result = try await SwitchyardProcess.run(command.arguments, environment: ["DATA_DIR": directory])
        #expect(result.status == command.status, "\(result.output)")
        #expect(result.output.contains(command.expected), "\(result.output)")
        #expect(!result.output.contains("switchyard migrate"), "\(result.output)")
        #expect(result.output.contains("database migrated"), "\(result.output)")
        let after = try await SwitchyardProcess.run(["migrate"], environment: ["DATA_DIR": directory])
        #expect(after.output.contains("is up to date"), "the command left the schema migrated: \(after.output)")
    }

    /// PostgreSQL is shared by many processes and migrated on purpose: a command against a fresh
    /// database refuses and says to run `switchyard migrate`, and migrates nothing.
    @Test(.enabled(if: TestEnvironment.canUsePostgres, "needs PostgreSQL (scripts/test)"))
    func commandOnAnUnmigratedPostgresDatabaseSaysToMigrate() async throws {
        let database = try PostgresTestDatabase.create(adminURL: try #require(TestEnvironment.postgresURL))
        defer { database.drop() }
        let port = try #require(URLComponents(string: TestEnvironment.postgresURL!)?.port)
        let environment = ["DATABASE_URL": database.url(port: port)]
        let refused = try await SwitchyardProcess.run(["workspace", "credentials"], environment: environment)
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.output.contains("workspace credentials: the database schema is at version 0"), "\(refused.output)")
        #expect(refused.output.contains("run `switchyard migrate`"), "\(refused.output)")
        let migrated = try await SwitchyardProcess.run(["migrate"], environment: environment)
        #expect(migrated.output.contains("applied"), "the command migrated nothing: \(migrated.output)")
    }
}
