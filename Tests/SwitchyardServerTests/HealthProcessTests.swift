import Foundation
import SwitchyardCore
import Testing

/// Start-up dependency checks against a real PostgreSQL that comes up late: the process
/// reports 503 naming the check while it retries, then becomes healthy.
@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the built switchyard binary"))
struct HealthProcessTests {
    @Test(.enabled(if: TestEnvironment.canUsePostgres && TestEnvironment.canUseSocat, "needs PostgreSQL (scripts/test) and socat"))
    func postgresThatComesUpLateIsWaitedFor() async throws {
        let postgresText = try #require(TestEnvironment.postgresURL, "SWITCHYARD_TEST_POSTGRES_URL is not set")
        let postgres = try #require(URL(string: postgresText))
        let postgresPort = try #require(postgres.port)
        let latePort = try RawConnection.freePort()
        // A database of this test's own, migrated through the real port before the late one opens.
        let own = try PostgresTestDatabase.create(adminURL: postgresText)
        defer { own.drop() }
        let migrated = try await SwitchyardProcess.run(["migrate"], environment: ["DATABASE_URL": own.url(port: postgresPort)])
        #expect(migrated.status == 0, "\(migrated.output)")
        let child = try SwitchyardProcess(["serve", "--role", "api"], environment: [
            "DATABASE_URL": own.url(port: latePort),
            "HEALTH_CHECK_RETRIES": "30", "HEALTH_CHECK_RETRY_DELAY_MS": "100", "HEALTH_CHECK_MAX_RETRY_DELAY_MS": "400",
        ])
        let port = try await child.waitForPort()
        try await Task.sleep(for: .milliseconds(600))
        let waiting = try await TestHTTP.get(port: port, path: "/")
        #expect(waiting.status == 503)
        let checks = try #require(try waiting.json()["checks"] as? [String: Any])
        let database = try #require(checks["database"] as? [String: Any])
        #expect(database["status"] as? String == "pending")
        #expect((database["error"] as? String)?.contains("127.0.0.1:\(latePort)") == true)
        #expect((database["attempts"] as? Int ?? 0) >= 2)

        // The database "comes up": a proxy starts listening on the port the process uses.
        let socat = Process()
        socat.executableURL = URL(fileURLWithPath: try #require(TestEnvironment.tool("socat")))
        socat.arguments = ["TCP-LISTEN:\(latePort),bind=127.0.0.1,fork,reuseaddr", "TCP:127.0.0.1:\(postgresPort)"]
        socat.standardInput = FileHandle.nullDevice
        socat.standardOutput = FileHandle.nullDevice
        socat.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(socat)
        defer {
            // socat forks a child per connection; end them with the listener.
            _ = try? ProcessLaunch.runToCompletion("/usr/bin/pkill", ["-KILL", "-P", String(socat.processIdentifier)])
            socat.terminate()
        }
        _ = try await child.waitUntilHealthy(timeout: .seconds(15))
        #expect(child.output.contains("dependency not ready; retrying"))
        #expect(child.output.contains("dependency check passed"))
        #expect(try await child.stop() == 0)
    }

    @Test func skippedDatabaseCheckServesWithoutTheDatabase() async throws {
        let deadPort = try RawConnection.freePort()
        let child = try SwitchyardProcess(["serve", "--role", "api"], environment: [
            "DATABASE_URL": "postgres://postgres@127.0.0.1:\(deadPort)/postgres", "SKIP_HEALTH_CHECKS": "database",
        ])
        let port = try await child.waitUntilHealthy()
        let checks = try #require(try await TestHTTP.get(port: port, path: "/").json()["checks"] as? [String: Any])
        #expect((checks["database"] as? [String: Any])?["status"] as? String == "skipped")
        try await child.stop()
    }

    @Test func databaseThatNeverComesUpStopsTheProcessNamingTheCheck() async throws {
        let deadPort = try RawConnection.freePort()
        let result = try await SwitchyardProcess.run(["serve", "--role", "orchestrator"], environment: [
            "DATABASE_URL": "postgres://postgres@127.0.0.1:\(deadPort)/postgres",
            "HEALTH_CHECK_RETRIES": "2", "HEALTH_CHECK_RETRY_DELAY_MS": "20",
        ])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("dependency check 'database' failed after 3 attempts"))
    }

    @Test func unopenableSQLiteFileStopsTheProcess() async throws {
        let result = try await SwitchyardProcess.run(["serve", "--role", "api"], environment: [
            "DATABASE_URL": "/proc/switchyard/nowhere.sqlite", "HEALTH_CHECK_RETRIES": "0",
        ])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("cannot open SQLite database at /proc/switchyard/nowhere.sqlite"))
    }

    @Test func rolesWithoutADatabaseDoNotCheckIt() async throws {
        let deadPort = try RawConnection.freePort()
        let child = try SwitchyardProcess(["serve", "--role", "ui,code-runner"], environment: [
            "DATABASE_URL": "postgres://postgres@127.0.0.1:\(deadPort)/postgres", "ENGINE_API_URI": "http://127.0.0.1:9",
        ])
        let port = try await child.waitUntilHealthy()
        let checks = try #require(try await TestHTTP.get(port: port, path: "/").json()["checks"] as? [String: Any])
        #expect(checks.isEmpty)
        try await child.stop()
    }
}
