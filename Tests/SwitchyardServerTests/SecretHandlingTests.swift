import Foundation
import Testing

@testable import SwitchyardServer

/// Secrets never appear in logs or in `config check`; missing ones are generated once,
/// stored owner-only, and reused.
@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the built switchyard binary"))
struct SecretHandlingTests {
    static let secrets = [
        "SECRET": "s3cr3t-value-for-signing-0001",
        "ENCRYPTION_SECRET": "enc-s3cr3t-value-for-data-0002",
        "AWS_SECRET_ACCESS_KEY": "aws-s3cr3t-access-key-0003",
        "AUTH0_CLIENT_SECRET": "auth0-s3cr3t-client-0004",
    ]
    static let databasePassword = "db-pa55word-0005"

    private var environment: [String: String] {
        var environment = Self.secrets
        environment["AUTH0_DOMAIN"] = "login.example.com"
        environment["AUTH0_CLIENT_ID"] = "client"
        environment["DATABASE_URL"] = "postgres://app:\(Self.databasePassword)@127.0.0.1:9/switchyard"
        environment["SKIP_HEALTH_CHECKS"] = "database"
        environment["DEBUG_ALL"] = "1"
        return environment
    }

    private func expectNoSecret(in output: String) {
        for (name, value) in Self.secrets {
            #expect(!output.contains(value), "\(name)'s value leaked:\n\(output)")
        }
        #expect(!output.contains(Self.databasePassword), "the database password leaked:\n\(output)")
    }

    @Test func serveLogsContainNoSecretValue() async throws {
        let child = try SwitchyardProcess(["serve"], environment: environment)
        let port = try await child.waitUntilHealthy()
        _ = try await TestHTTP.get(port: port, path: "/")
        _ = try await TestHTTP.get(port: port, path: "/nothing-here")
        _ = try await TestHTTP.get(port: port, path: "/prometheus")
        #expect(try await child.stop() == 0)
        #expect(child.output.contains("debug"), "DEBUG_ALL=1 logs at debug level")
        expectNoSecret(in: child.output)
    }

    @Test func configCheckContainsNoSecretValue() async throws {
        let result = try await SwitchyardProcess.run(["config", "check"], environment: environment)
        #expect(result.status == 0, "\(result.output)")
        expectNoSecret(in: result.output)
        #expect(result.output.contains("(set, hidden)"))
    }

    @Test func invalidConfigurationOutputContainsNoSecretValue() async throws {
        var environment = environment
        environment["PORT"] = "not-a-port"
        environment["DATABASE_URL"] = "postgres://app:\(Self.databasePassword)@127.0.0.1:99999/switchyard"
        let result = try await SwitchyardProcess.run(["serve"], environment: environment)
        #expect(result.status == 78)
        expectNoSecret(in: result.output)
    }

    @Test func missingSecretsAreGeneratedOnceStoredOwnerOnlyAndReused() async throws {
        let first = try SwitchyardProcess(["serve", "--role", "ui"], environment: ["ENGINE_API_URI": "http://127.0.0.1:9"])
        _ = try await first.waitUntilHealthy()
        try await first.stop()
        #expect(first.output.contains("SECRET is not set; using a generated value stored in DATA_DIR"))
        let store = SecretFileStore(directory: first.dataDirectory)
        var values: [String: String] = [:]
        for name in ["SECRET", "ENCRYPTION_SECRET"] {
            let path = store.path(for: name)
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(path) must be owner-only")
            let value = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(value.count == 64)
            #expect(!first.output.contains(value), "a generated secret must not be logged")
            values[name] = value
        }
        let second = try SwitchyardProcess(
            ["serve", "--role", "ui"], environment: ["DATA_DIR": first.dataDirectory, "ENGINE_API_URI": "http://127.0.0.1:9"])
        _ = try await second.waitUntilHealthy()
        try await second.stop()
        for name in ["SECRET", "ENCRYPTION_SECRET"] {
            let value = try String(contentsOfFile: store.path(for: name), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(value == values[name], "\(name) must be reused on restart")
        }
    }

    @Test func concurrentStartsOnOneDataDirectoryAgreeOnTheGeneratedSecret() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask { try SecretFileStore(directory: directory).loadOrCreate("SECRET") }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(results.count == 1)
    }
}
