import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the built switchyard binary"))
struct GracefulShutdownTests {
    /// A request that takes 4 s (`GET /?wait=4000` while a dependency is still down) is in
    /// flight when SIGTERM arrives: it completes with its full answer, then the process exits 0.
    @Test func sigtermLetsASlowRequestFinishThenExitsZero() async throws {
        let deadPort = try RawConnection.freePort()
        let child = try SwitchyardProcess(["serve", "--role", "api"], environment: [
            "DATABASE_URL": "postgres://postgres@127.0.0.1:\(deadPort)/postgres",
            "HEALTH_CHECK_RETRIES": "1000", "HEALTH_CHECK_RETRY_DELAY_MS": "200",
        ])
        let port = try await child.waitForPort()
        let start = ContinuousClock.now
        async let slow = TestHTTP.get(port: port, path: "/?wait=4000")
        // Long enough for a loaded machine (the whole suite runs in parallel) to have read the
        // request, well inside its 4 s: a request still unread when SIGTERM arrives is on an idle
        // connection, which a graceful shutdown closes.
        try await Task.sleep(for: .milliseconds(2000))
        child.signal(SIGTERM)
        let response = try await slow
        let answered = ContinuousClock.now - start
        let status = try await child.waitForExit()
        #expect(response.status == 503)
        #expect(try response.json()["status"] as? String == "starting")
        // A complete answer that took the full 4 s after SIGTERM was sent by a process that
        // waited for it: a process that had exited could not have answered.
        #expect(answered >= .milliseconds(3900), "the request must not be cut short")
        #expect(status == 0, "\(child.output)")
    }

    @Test func sigintAlsoShutsDownCleanly() async throws {
        let child = try SwitchyardProcess(["serve", "--role", "ui"], environment: ["ENGINE_API_URI": "http://127.0.0.1:9"])
        _ = try await child.waitUntilHealthy()
        child.signal(SIGINT)
        #expect(try await child.waitForExit() == 0)
        #expect(child.output.contains("stopped"))
    }

    @Test func newConnectionsAreRefusedAfterShutdown() async throws {
        let child = try SwitchyardProcess(["serve", "--role", "ui"], environment: ["ENGINE_API_URI": "http://127.0.0.1:9"])
        let port = try await child.waitUntilHealthy()
        try await child.stop()
        #expect(throws: (any Error).self) { _ = try RawConnection(port: port) }
    }
}
