import Testing

@testable import SwitchyardServer
import SwitchyardStore

@Suite struct ConfigurationTests {
    private func load(_ environment: [String: String], roles: RoleSelection? = nil) throws(ConfigurationError) -> SwitchyardConfiguration {
        try SwitchyardConfiguration.load(environment: environment, roleOverride: roles)
    }

    /// The problems for an environment, or none when it loads.
    private func problems(_ environment: [String: String]) -> [ConfigurationProblem] {
        do {
            _ = try load(environment)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func emptyEnvironmentIsTheEmbeddedAllInOneDefault() throws {
        let configuration = try load([:])
        #expect(configuration.roles.isAllInOne)
        #expect(configuration.http.host == "127.0.0.1")
        #expect(configuration.http.port == 5000)
        #expect(configuration.http.maxRequestBodyBytes == 10 * 1024 * 1024)
        #expect(configuration.http.headersTimeout == .milliseconds(61_000))
        #expect(configuration.http.keepAliveTimeout == .milliseconds(61_000))
        #expect(configuration.data.dataDirectory == "./switchyard-data")
        #expect(configuration.data.database == .sqlite(path: "./switchyard-data/switchyard.sqlite"))
        #expect(configuration.urls.baseURI == "http://127.0.0.1:5000")
        #expect(configuration.health.retries == 3)
        #expect(configuration.health.retryDelay == .milliseconds(1000))
        #expect(configuration.health.maxRetryDelay == .milliseconds(10_000))
        #expect(configuration.work.maxQueuedTaskMemoryMB == 1024)
        #expect(configuration.work.maxQueuedTaskTime == .seconds(3000))
        #expect(configuration.work.maxNodeRunOutputMB == 20)
        #expect(!configuration.secrets.isProduction)
        #expect(!configuration.debugLogging)
    }

    @Test(arguments: Role.allCases)
    func eachSeedVariableSelectsItsRoleAlone(role: Role) throws {
        let configuration = try load([role.environmentVariable: "1", "ENGINE_API_URI": "http://api:9000"])
        #expect(configuration.roles.roles == [role])
    }

    @Test func severalRoleVariablesCombineAndTrueIsAccepted() throws {
        let configuration = try load(["IS_API": "true", "IS_ORCHESTRATOR": "1", "IS_UI": "0"])
        #expect(configuration.roles.roles == [.api, .orchestrator])
    }

    @Test func roleFlagWinsOverEnvironment() throws {
        let flag = try RoleSelection.parse(flags: ["queued-worker,console"])
        let configuration = try load(["IS_API": "1", "ENGINE_API_URI": "http://api:9000"], roles: flag)
        #expect(configuration.roles.roles == [.queuedWorker, .console])
        #expect(try RoleSelection.parse(flags: ["all"]).isAllInOne)
    }

    @Test func unknownRoleFlagIsRejectedByName() {
        #expect {
            _ = try RoleSelection.parse(flags: ["api", "scheduler"])
        } throws: { error in
            let problems = (error as? ConfigurationError)?.problems ?? []
            return problems.count == 1 && problems[0].variable == "--role" && problems[0].reason.contains("'scheduler'")
        }
    }

    @Test(arguments: [
        (["PORT": "abc"], "PORT"),
        (["PORT": "70000"], "PORT"),
        (["PORT": "-1"], "PORT"),
        (["BASE_URI": "not a url"], "BASE_URI"),
        (["BASE_URI": "ftp://example.com"], "BASE_URI"),
        (["BASE_WEBHOOKS_URI": "example.com/hooks"], "BASE_WEBHOOKS_URI"),
        (["CUSTOM_CODE_RUNNER_URI": "http://"], "CUSTOM_CODE_RUNNER_URI"),
        (["IS_API": "maybe"], "IS_API"),
        (["DEBUG_ALL": "yesplease"], "DEBUG_ALL"),
        (["ENABLE_LIMITS": "2"], "ENABLE_LIMITS"),
        (["HEADERS_TIMEOUT_MS": "0"], "HEADERS_TIMEOUT_MS"),
        (["KEEPALIVE_TIMEOUT_MS": "soon"], "KEEPALIVE_TIMEOUT_MS"),
        (["MONGO_URI": "mongodb://localhost/db"], "MONGO_URI"),
        (["REDIS_URI": "redis://localhost:6379"], "REDIS_URI"),
        (["REDIS_CLUSTER_URI_1": "redis://localhost:6379"], "REDIS_CLUSTER_URI_1"),
        (["DATABASE_URL": "mysql://root@localhost/db"], "DATABASE_URL"),
        (["DATABASE_URL": "postgres://localhost/db"], "DATABASE_URL"),
        (["DATABASE_URL": "postgres://u@h/db?sslmode=sometimes"], "DATABASE_URL"),
        (["DATABASE_MAX_POOL_SIZE": "0"], "DATABASE_MAX_POOL_SIZE"),
        (["STORAGE_PROVIDER": "gcs"], "STORAGE_PROVIDER"),
        (["STORAGE_PROVIDER": "s3"], "STORAGE_PROVIDER"),
        (["TMP_STORAGE_BUCKET": "Bad_Bucket"], "TMP_STORAGE_BUCKET"),
        (["SKIP_HEALTH_CHECKS": "database,dns"], "SKIP_HEALTH_CHECKS"),
        (["HEALTH_CHECK_RETRIES": "many"], "HEALTH_CHECK_RETRIES"),
        (["HEALTH_CHECK_RETRY_DELAY_MS": "5000", "HEALTH_CHECK_MAX_RETRY_DELAY_MS": "100"], "HEALTH_CHECK_MAX_RETRY_DELAY_MS"),
        (["SECRET": "short"], "SECRET"),
        (["NODE_ENV": "production", "ENCRYPTION_SECRET": "0123456789abcdef0123"], "SECRET"),
        (["SWITCHYARD_ENV": "production", "SECRET": "0123456789abcdef0123"], "ENCRYPTION_SECRET"),
        (["AUTH0_DOMAIN": "login.example.com"], "AUTH0_CLIENT_ID"),
        (["CONNECTION_CREDENTIALS_STORAGE_TYPE": "vault"], "CONNECTION_CREDENTIALS_STORAGE_TYPE"),
        (["CONNECTION_CREDENTIALS_STORAGE_TYPE": "external_api"], "CONNECTION_CREDENTIALS_EXTERNAL_API_ENDPOINT_URL"),
        (["CUSTOM_CODE_MEMORY_LIMIT": "1000"], "CUSTOM_CODE_MEMORY_LIMIT"),
    ])
    func invalidValueIsReportedByVariableName(environment: [String: String], variable: String) {
        let found = problems(environment)
        #expect(found.contains { $0.variable == variable }, "expected a problem naming \(variable), got \(found)")
    }

    @Test func everyProblemIsReportedTogether() {
        let found = problems(["PORT": "x", "IS_API": "maybe", "MONGO_URI": "mongodb://h/db", "NODE_ENV": "production"])
        let variables = Set(found.map(\.variable))
        #expect(variables == ["PORT", "IS_API", "MONGO_URI", "SECRET", "ENCRYPTION_SECRET"])
    }

    @Test func productionWithBothSecretsLoads() throws {
        let configuration = try load([
            "NODE_ENV": "production", "SECRET": "0123456789abcdef0123", "ENCRYPTION_SECRET": "fedcba9876543210fedc",
        ])
        #expect(configuration.secrets.isProduction)
        #expect(configuration.secrets.secret == "0123456789abcdef0123")
    }

    @Test func secretValuesNeverAppearInProblems() {
        let secret = "tiny-secret"
        let found = problems(["SECRET": secret, "ENCRYPTION_SECRET": "x", "DATABASE_URL": "postgres://u:hunter2hunter2@h:99999/db"])
        #expect(found.count == 3)
        let text = ConfigurationError(problems: found).description
        #expect(!text.contains(secret))
        #expect(!text.contains("hunter2hunter2"))
    }

    @Test func postgresDatabaseURLIsParsedAndMaskedInDescriptions() throws {
        let configuration = try load(["DATABASE_URL": "postgresql://app:pa%40ss@db.internal:6543/switchyard?sslmode=require"])
        guard case .postgres(let url) = configuration.data.database else {
            Issue.record("expected PostgreSQL, got \(configuration.data.database)")
            return
        }
        #expect(url.host == "db.internal" && url.port == 6543 && url.username == "app")
        #expect(url.password == "pa@ss" && url.database == "switchyard" && url.sslMode == .require)
        #expect(!configuration.data.database.description.contains("pa@ss"))
    }

    @Test func skipHealthChecksAcceptsAllAndIgnoresMongo() throws {
        let all = try load(["SKIP_HEALTH_CHECKS": "all"])
        #expect(all.health.isSkipped("database") && all.health.isSkipped("custom_code"))
        let list = try load(["SKIP_HEALTH_CHECKS": "mongo, storage"])
        #expect(list.health.isSkipped("storage") && !list.health.isSkipped("database"))
        #expect(list.health.ignored == ["mongo"])
    }

    @Test func derivedURLsFollowBaseURI() throws {
        let configuration = try load(["BASE_URI": "https://api.example.com/", "BASE_OAUTH_CALLBACK_URI": "https://oauth.example.com"])
        #expect(configuration.urls.baseURI == "https://api.example.com")
        #expect(configuration.urls.webhooksURI == "https://api.example.com")
        #expect(configuration.urls.oauthCallbackURI == "https://oauth.example.com")
        #expect(configuration.urls.internalURI == "https://api.example.com")
    }

    @Test func configurationReportMasksSecrets() throws {
        let configuration = try load([
            "SECRET": "a-very-secret-value-1", "DATABASE_URL": "postgres://u:dbpassword99@h/db", "AWS_SECRET_ACCESS_KEY": "awssecret123",
            "PORT": "6000",
        ])
        let text = ConfigurationReport(configuration: configuration).render()
        for secret in ["a-very-secret-value-1", "dbpassword99", "awssecret123"] {
            #expect(!text.contains(secret))
        }
        #expect(text.contains("PORT"))
        #expect(text.contains("6000"))
        #expect(text.contains("(set, hidden)"))
    }
}
