import Foundation
import JWTKit
import Testing

@testable import SwitchyardServer

@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the built switchyard binary"))
struct CommandTests {
    @Test func versionPrintsTheVersion() async throws {
        let result = try await SwitchyardProcess.run(["version"])
        #expect(result.status == 0)
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "switchyard 0.1.0")
    }

    @Test func adminTokenIsAnAdminJWTSignedWithTheDeploymentSecret() async throws {
        let secret = "token-test-secret-0123456789"
        let result = try await SwitchyardProcess.run(["token", "--admin", "--lifetime", "600"], environment: ["SECRET": secret])
        #expect(result.status == 0, "\(result.output)")
        let token = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.split(separator: ".").count == 3)
        let claims = try await AdminTokenIssuer(secret: secret).verify(token)
        #expect(claims.isAdmin)
        let remaining = claims.exp.value.timeIntervalSinceNow
        #expect(remaining > 500 && remaining <= 600)
        await #expect(throws: (any Error).self) {
            _ = try await AdminTokenIssuer(secret: "another-secret-0123456789").verify(token)
        }
    }

    @Test func adminTokenWithoutSecretUsesTheStoredGeneratedOne() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let result = try await SwitchyardProcess.run(["token", "--admin"], environment: ["DATA_DIR": directory])
        #expect(result.status == 0, "\(result.output)")
        let stored = try SecretFileStore(directory: directory).loadOrCreate("SECRET")
        let claims = try await AdminTokenIssuer(secret: stored).verify(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(claims.isAdmin)
    }

    @Test func tokenWithoutKindIsRefused() async throws {
        let result = try await SwitchyardProcess.run(["token"])
        #expect(result.status != 0)
        #expect(result.output.contains("--admin"))
    }
}
