import Testing

/// The process refuses to start on bad configuration, exits non-zero before serving, and
/// names the variable at fault.
@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the built switchyard binary"))
struct InvalidConfigurationProcessTests {
    @Test(arguments: [
        (["serve"], ["PORT": "http"], "PORT"),
        (["serve"], ["PORT": "99999"], "PORT"),
        (["serve"], ["BASE_URI": "::nope::"], "BASE_URI"),
        (["serve"], ["IS_API": "perhaps"], "IS_API"),
        (["serve"], ["NODE_ENV": "production"], "SECRET"),
        (["serve"], ["NODE_ENV": "production"], "ENCRYPTION_SECRET"),
        (["serve"], ["MONGO_URI": "mongodb://localhost:27017/integrations"], "MONGO_URI"),
        (["serve"], ["REDIS_URI": "redis://localhost:6379"], "REDIS_URI"),
        (["serve", "--role", "scheduler"], [:], "--role"),
        (["serve"], ["DATABASE_URL": "mongodb://localhost/db"], "DATABASE_URL"),
        (["config", "check"], ["HEALTH_CHECK_RETRIES": "-3"], "HEALTH_CHECK_RETRIES"),
        (["migrate"], ["DATABASE_URL": "postgres://nohost"], "DATABASE_URL"),
    ])
    func exitsNonZeroNamingTheVariable(arguments: [String], environment: [String: String], variable: String) async throws {
        let result = try await SwitchyardProcess.run(arguments, environment: environment)
        #expect(result.status == 78, "\(result.output)")
        #expect(result.output.contains("\(variable):"), "\(result.output)")
        #expect(!result.output.contains("listening on"), "must not serve")
    }

    @Test func mongoMessageSaysPostgresIsUsedInstead() async throws {
        let result = try await SwitchyardProcess.run(["serve"], environment: ["MONGO_URI": "mongodb://localhost/x"])
        #expect(result.output.contains("PostgreSQL"))
        #expect(result.output.contains("needs no MongoDB"))
    }

    @Test func configCheckPrintsEverySettingAndExitsZero() async throws {
        let result = try await SwitchyardProcess.run(["config", "check"], environment: ["PORT": "5123", "IS_API": "1"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("configuration is valid"))
        #expect(result.output.contains("roles: api"))
        for name in ["PORT", "DATABASE_URL", "SECRET", "HEALTH_CHECK_RETRIES", "KEEPALIVE_TIMEOUT_MS"] {
            #expect(result.output.contains(name))
        }
    }
}
