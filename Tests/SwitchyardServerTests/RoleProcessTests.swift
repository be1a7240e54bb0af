import Foundation
import Testing

@testable import SwitchyardServer

/// Each role started alone, by its seed variable and by `--role`, answers `GET /` with 200
/// and names its role; all-in-one names every role.
@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the built switchyard binary"))
struct RoleProcessTests {
    private func expectHealthy(_ child: SwitchyardProcess, roles expected: [Role]) async throws {
        let port = try await child.waitUntilHealthy()
        let response = try await TestHTTP.get(port: port, path: "/")
        #expect(response.status == 200)
        let body = try response.json()
        #expect(body["status"] as? String == "ok")
        #expect(body["version"] as? String == "0.1.0")
        #expect((body["roles"] as? [String]) == expected.sorted().map(\.rawValue))
        #expect(body["checks"] is [String: Any])
        #expect(try await child.stop() == 0, "\(child.output)")
    }

    /// Where a console without the api role would find the API (it must be told; nothing listens).
    static let engine = "http://127.0.0.1:9"

    @Test(arguments: Role.allCases)
    func roleStartedByItsVariableAnswersHealth(role: Role) async throws {
        let child = try SwitchyardProcess(
            ["serve"],
            environment: [
                role.environmentVariable: "1", "DATA_DIR": try await SwitchyardProcess.migratedDataDirectory(), "ENGINE_API_URI": Self.engine,
            ])
        try await expectHealthy(child, roles: [role])
    }

    @Test(arguments: Role.allCases)
    func roleStartedByFlagAnswersHealth(role: Role) async throws {
        let child = try SwitchyardProcess(
            ["serve", "--role", role.rawValue],
            environment: ["IS_API": "1", "DATA_DIR": try await SwitchyardProcess.migratedDataDirectory(), "ENGINE_API_URI": Self.engine]
        )
        try await expectHealthy(child, roles: [role])
    }

    @Test func allInOneAnswersForEveryRole() async throws {
        let child = try SwitchyardProcess(["serve"])
        let port = try await child.waitUntilHealthy()
        let checks = try #require(try await TestHTTP.get(port: port, path: "/").json()["checks"] as? [String: [String: Any]])
        #expect(checks["database"]?["status"] as? String == "ok")
        #expect(checks["storage"]?["status"] as? String == "ok")
        try await expectHealthy(child, roles: Role.allCases)
    }

    @Test func codeRunnerAlsoAnswersItsV2HealthPath() async throws {
        let child = try SwitchyardProcess(["serve", "--role", "code-runner"])
        let port = try await child.waitUntilHealthy()
        #expect(try await TestHTTP.get(port: port, path: "/api/v2/health").status == 200)
        #expect(try await TestHTTP.get(port: port, path: "/prometheus").status == 404, "API metrics belong to the API role")
        try await child.stop()
    }
}
