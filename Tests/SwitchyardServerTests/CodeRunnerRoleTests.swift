import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

import SwitchyardCodeRunner
import SwitchyardCore

/// The code runner as its own role, reached over HTTP by other roles.
@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the built switchyard binary"))
struct CodeRunnerRoleTests {
    static let secret = "code-runner-test-secret-0123456789"

    private func startRunner(_ environment: [String: String] = [:]) async throws -> (SwitchyardProcess, Int) {
        var environment = environment
        environment["SECRET"] = Self.secret
        let child = try SwitchyardProcess(["serve", "--role", "code-runner"], environment: environment)
        return (child, try await child.waitUntilHealthy())
    }

    @Test func jobsNeedTheInternalToken() async throws {
        let (child, port) = try await startRunner()
        let job = ByteBuffer(string: #"{"workspaceID":"w","code":"module.exports = () => 1","input":null}"#)
        let none = try await TestHTTP.send(port: port, path: "/api/v2/jobs", method: .POST, body: job)
        #expect(none.status == 401)
        #expect(try none.json()["key"] as? String == "not_authenticated")
        let wrong = try await TestHTTP.send(
            port: port, path: "/api/v2/jobs", method: .POST,
            headers: [("Authorization", "Bearer " + InternalToken(secret: "some-other-secret-value").value)], body: job
        )
        #expect(wrong.status == 401)
        try await child.stop()
    }

    @Test func malformedJobIsA400NamingTheField() async throws {
        let (child, port) = try await startRunner()
        let response = try await TestHTTP.send(
            port: port, path: "/api/v2/jobs", method: .POST,
            headers: [("Authorization", "Bearer " + InternalToken(secret: Self.secret).value)],
            body: ByteBuffer(string: #"{"workspaceID":"w"}"#)
        )
        #expect(response.status == 400)
        #expect((try response.json()["message"] as? String)?.contains("'code'") == true)
        try await child.stop()
    }

    /// A connector function calls `externalApiClient.get()`; the call leaves the sandbox, reaches a
    /// real loopback server through the engine side, which adds the credential; the sandbox never
    /// sees the credential.
    @Test func externalAPICallReachesALoopbackServerWithCredentialsAddedOutsideTheSandbox() async throws {
        let (child, runnerPort) = try await startRunner()
        let seen = Mutex<[String]>([])
        let router = Router()
        router.get("/contacts") { request, _ -> String in
            let auth = request.headers[.authorization] ?? ""
            seen.withLock { $0.append(auth) }
            let limit = request.uri.queryParameters["limit"].map(String.init) ?? "none"
            return #"{"authorized": \#(auth == "Bearer cred-123"), "limit": "\#(limit)", "items": [{"id": 1}, {"id": 2}]}"#
        }
        try await Application(router: router).test(.live) { client in
            let upstream = try #require(client.port)
            let bridge = HTTPAPIBridge(targets: ["external": .init(baseURL: "http://127.0.0.1:\(upstream)", headers: [("Authorization", "Bearer cred-123")])])
            let remote = RemoteCodeRunner(baseURL: "http://127.0.0.1:\(runnerPort)", token: InternalToken(secret: Self.secret))
            let code = """
                module.exports = async ({ input, credentials, externalApiClient }) => {
                  console.log('credentials visible to the job:', JSON.stringify(credentials))
                  const page = await externalApiClient.get('/contacts', { limit: input.limit })
                  return { authorized: page.authorized, limit: page.limit, count: page.items.length }
                }
                """
            let result = await remote.run(CodeJob(workspaceID: "w1", tenantID: "t1", code: code, input: ["limit": 2]), bridge: bridge)
            #expect(result.error == nil, "\(String(describing: result.error))")
            #expect(result.value == ["authorized": true, "limit": "2", "count": 2])
            #expect(seen.withLock { $0 } == ["Bearer cred-123"])
            #expect(result.logs.map(\.message) == ["credentials visible to the job: null"])
            #expect(!result.value!.jsonText.contains("cred-123"))
        }
        try await child.stop()
        #expect(!child.output.contains("cred-123"), "the credential must not reach the runner's logs")
    }

    @Test func busyRunnerAnswers429WithRetryAfter() async throws {
        let (child, port) = try await startRunner(["CUSTOM_CODE_JOB_SPACES": "1", "CUSTOM_CODE_QUEUE_WAIT_MS": "100"])
        let remote = RemoteCodeRunner(baseURL: "http://127.0.0.1:\(port)", token: InternalToken(secret: Self.secret))
        // Warm the tenant's sandbox first: on a loaded machine starting one can outlast the 100 ms
        // queue wait, and then the long job itself would be the one refused.
        var warm = await remote.run(CodeJob(workspaceID: "w", tenantID: "a", code: "module.exports = () => 1"), bridge: NoAPIBridge())
        for _ in 0..<20 where warm.value != 1 {
            try await Task.sleep(for: .milliseconds(250))
            warm = await remote.run(CodeJob(workspaceID: "w", tenantID: "a", code: "module.exports = () => 1"), bridge: NoAPIBridge())
        }
        #expect(warm.value == 1, "\(String(describing: warm.error))")
        async let long = remote.run(
            // Long enough that a loaded machine still finds the space taken when the second job comes.
            CodeJob(workspaceID: "w", tenantID: "a", code: "module.exports = () => new Promise(r => setTimeout(() => r('slept'), 12000))"),
            bridge: NoAPIBridge()
        )
        // Wait until the long job holds the only job space (a fixed pause is too short on a busy machine).
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            let metrics = try await TestHTTP.get(port: port, path: "/api/v2/prometheus").body
            if metrics.contains("custom_code_runner_remaining_job_spaces 0") { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let token = InternalToken(secret: Self.secret).value
        let refused = try await TestHTTP.send(
            port: port, path: "/api/v2/jobs", method: .POST, headers: [("Authorization", "Bearer \(token)")],
            body: ByteBuffer(string: #"{"workspaceID":"w","tenantID":"b","code":"module.exports = () => 1","input":null}"#)
        )
        #expect(refused.status == 429)
        #expect(refused.headers.first(name: "retry-after") == "1")
        #expect(try refused.json()["key"] as? String == "rate_limit_exceeded")
        let slept = await long
        #expect(slept.value == "slept", "\(String(describing: slept.error))")
        try await child.stop()
    }

    @Test func runnerWithoutBubblewrapRefusesToStartSayingWhy() async throws {
        let result = try await SwitchyardProcess.run(["serve", "--role", "code-runner"], environment: ["CUSTOM_CODE_BWRAP_PATH": "/nonexistent/bwrap"])
        #expect(result.status == 1)
        #expect(result.output.contains("bubblewrap is not installed at /nonexistent/bwrap"))
        #expect(result.output.contains("CUSTOM_CODE_UNSAFE_NO_SANDBOX=1"))
        #expect(!result.output.contains("listening on"))
    }

    @Test func unsafeModeStartsButSaysSoLoudly() async throws {
        let child = try SwitchyardProcess(["serve", "--role", "code-runner"], environment: [
            "CUSTOM_CODE_BWRAP_PATH": "/nonexistent/bwrap", "CUSTOM_CODE_UNSAFE_NO_SANDBOX": "1",
        ])
        _ = try await child.waitUntilHealthy()
        try await child.stop()
        #expect(child.output.contains("critical"))
        #expect(child.output.contains("WITHOUT OS isolation"))
    }

    @Test func unsafeModeIsRefusedInProduction() async throws {
        let result = try await SwitchyardProcess.run(["config", "check"], environment: [
            "NODE_ENV": "production", "SECRET": Self.secret, "ENCRYPTION_SECRET": Self.secret, "CUSTOM_CODE_UNSAFE_NO_SANDBOX": "1",
        ])
        #expect(result.status == 78)
        #expect(result.output.contains("CUSTOM_CODE_UNSAFE_NO_SANDBOX: is refused in production"))
    }

    @Test func otherRolesProbeTheRemoteRunner() async throws {
        let deadPort = try RawConnection.freePort()
        let waiting = try SwitchyardProcess(["serve", "--role", "api"], environment: [
            "SECRET": Self.secret, "CUSTOM_CODE_RUNNER_URI": "http://127.0.0.1:\(deadPort)", "HEALTH_CHECK_RETRIES": "100",
            "DATA_DIR": try await SwitchyardProcess.migratedDataDirectory(),
            "HEALTH_CHECK_RETRY_DELAY_MS": "100", "HEALTH_CHECK_MAX_RETRY_DELAY_MS": "200",
        ])
        let apiPort = try await waiting.waitForPort()
        try await Task.sleep(for: .milliseconds(300))
        let pending = try await TestHTTP.get(port: apiPort, path: "/")
        #expect(pending.status == 503)
        let checks = try #require(try pending.json()["checks"] as? [String: Any])
        #expect((checks["custom_code"] as? [String: Any])?["status"] as? String == "pending")
        try await waiting.stop()

        let (runner, runnerPort) = try await startRunner()
        let api = try SwitchyardProcess(["serve", "--role", "api"], environment: [
            "SECRET": Self.secret, "CUSTOM_CODE_RUNNER_URI": "http://127.0.0.1:\(runnerPort)",
            "DATA_DIR": try await SwitchyardProcess.migratedDataDirectory(),
        ])
        let port = try await api.waitUntilHealthy()
        let healthy = try #require(try await TestHTTP.get(port: port, path: "/").json()["checks"] as? [String: Any])
        #expect((healthy["custom_code"] as? [String: Any])?["status"] as? String == "ok")
        try await api.stop()
        try await runner.stop()
    }
}
