import Foundation
import HTTPTypes
import HummingbirdTesting
import SwitchyardAPI
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardTestSupport
import Testing

/// Every route of the API passes one pipeline (authentication, rate limits, time limit,
/// request ids): the proxy and the connect flow included, which once skipped it.
@Suite(.enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct RequestPipelineTests {
    /// A connection to httpbin through the input-form connect flow; returns its id.
    static func connect(_ client: APIClient, harness: APIHarness, port: Int, tenant: String) async throws -> String {
        let admin = try await harness.adminToken()
        _ = try await client.send(.post, "/connectors", token: admin, body: ["key": "bin", "name": "Bin"])
        let (uploaded, _) = try await client.sendBytes(
            .post, "/connectors/bin/upload", token: admin, body: Array(ConnectorArchive.pack(InputConnectionTests.package(port: port))),
            contentType: "application/zip"
        )
        #expect(uploaded.status == 200, "\(uploaded.json)")
        _ = try await client.send(.post, "/integrations", token: admin, body: ["key": "bin", "name": "Bin", "connectorId": "bin"])
        let body = "token=\(tenant)&integrationKey=bin&redirectUri=https%3A%2F%2Fapp.example%2Fdone&input.username=ada&input.password=correct-horse"
        let (answer, _) = try await client.sendBytes(
            .post, "/connect", token: nil, body: Array(body.utf8), contentType: "application/x-www-form-urlencoded"
        )
        let location = try #require(answer.headers[.location], "\(answer.status) \(answer.json)")
        return try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "connectionId" }?.value, "\(location)")
    }

    /// The connection's external API log entries once `done` holds for them (an entry is
    /// recorded when its body has streamed, so it may land just after the client has read it).
    /// Read with an admin token: the tenant's own requests may be spent.
    static func logEntries(
        _ client: APIClient, harness: APIHarness, connection: String, until done: ([JSONValue]) -> Bool
    ) async throws -> [JSONValue] {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            await (try #require(harness.logSink)).flush()
            let logs = try await client.send(.get, "/external-api-logs?connectionId=\(connection)&limit=1000", token: try await harness.adminToken())
            let entries = logs.json["items"]?.arrayValue ?? []
            if done(entries) || ContinuousClock.now > deadline { return entries }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test("The proxy is rate-limited per customer before anything is sent upstream, and stopped at the request time limit with 504")
    func proxyPassesLimits() async throws {
        let server = try await PythonTestServer.start("httpbin_server.py")
        let clock = ManualClock()
        let harness = try await APIHarness.make(rates: .init(perTenant: 5, perWorkspace: 1000, processes: 1), clock: { clock.now }, connections: true)
        // A second API over the same store with a 2 s time limit, so connecting (which tests the
        // credentials against httpbin) is not held to it on a loaded machine.
        let limited = try await APIHarness.make(requestTimeLimit: .seconds(2), connections: true, sharing: harness)
        do {
            let tenant = try await harness.tenantToken("acme")
            let id = try await harness.withClient { client in
                let id = try await Self.connect(client, harness: harness, port: server.port, tenant: tenant)
                clock.advance(by: .seconds(2))
                for index in 0..<5 {
                    let answer = try await client.send(.get, "/connections/\(id)/proxy/anything/rate-\(index)", token: tenant)
                    #expect(answer.status == 200, "\(answer.json)")
                }
                let refused = try await client.send(.get, "/connections/\(id)/proxy/anything/rate-5", token: tenant)
                #expect(refused.status == 429 && refused.json["key"] == "rate_limit_exceeded", "\(refused.json)")
                #expect(refused.json["data"]?["limit"] == "customer", "\(refused.json)")
                #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 1)
                let entries = try await Self.logEntries(client, harness: harness, connection: id) { entries in
                    entries.filter { $0["url"]?.stringValue?.contains("/anything/rate-") == true }.count >= 5
                }
                let urls = entries.compactMap { $0["url"]?.stringValue }
                #expect(urls.filter { $0.contains("/anything/rate-") }.count == 5, "the refused request never left: \(urls)")
                #expect(!urls.contains { $0.contains("rate-5") })
                return id
            }
            try await limited.withClient { client in
                let started = ContinuousClock.now
                let slow = try await client.send(.get, "/connections/\(id)/proxy/delay/10", token: tenant)
                #expect(slow.status == 504 && slow.json["key"] == "timeout" && slow.json["data"]?["limit"] == "2 s", "\(slow.json)")
                #expect(ContinuousClock.now - started < .seconds(9), "answered at the limit, not when httpbin answers")
            }
        } catch {
            Issue.record("\(error)")
        }
        try? await limited.http?.shutdown()
        await harness.tearDown(servers: [server])
    }

    @Test("A proxied request's X-Request-Id is echoed and lands in its external API log entry")
    func requestIDReachesTheExternalAPILog() async throws {
        let server = try await PythonTestServer.start("httpbin_server.py")
        let harness = try await APIHarness.make(connections: true)
        do {
            try await harness.withClient { client in
                let tenant = try await harness.tenantToken("acme")
                let id = try await Self.connect(client, harness: harness, port: server.port, tenant: tenant)
                let response = try await client.client.execute(
                    uri: "/connections/\(id)/proxy/anything/traced", method: .get,
                    headers: [.authorization: "Bearer \(tenant)", .requestID: "pipeline-trace-42"], body: nil
                )
                #expect(response.status == .ok)
                #expect(response.headers[.requestID] == "pipeline-trace-42")
                let entries = try await Self.logEntries(client, harness: harness, connection: id) { entries in
                    entries.contains { $0["url"]?.stringValue?.contains("/anything/traced") == true }
                }
                let entry = entries.first { $0["url"]?.stringValue?.contains("/anything/traced") == true }
                #expect(entry?["requestId"] == "pipeline-trace-42", "\(entries)")
            }
        } catch {
            Issue.record("\(error)")
        }
        await harness.tearDown(servers: [server])
    }

    @Test("The connect flow authenticates through the pipeline: a bad token goes back to redirectUri as an error, or is a 401 without one")
    func connectFlowAuthentication() async throws {
        let harness = try await APIHarness.make(connections: true)
        do {
            try await harness.withClient { client in
                let (redirected, _) = try await client.sendBytes(
                    .get, "/connect?integrationKey=bin&redirectUri=https://app.example/done&token=not.a.token", token: nil, body: nil,
                    contentType: nil
                )
                #expect(redirected.status == 302)
                let location = redirected.headers[.location] ?? ""
                #expect(location.hasPrefix("https://app.example/done?error=") && location.contains("not_authenticated"), "\(location)")
                let refused = try await client.send(.get, "/connect?integrationKey=bin&token=not.a.token", token: nil)
                #expect(refused.status == 401 && refused.json["key"] == "not_authenticated", "\(refused.json)")
                let missing = try await client.send(.get, "/connections/any/proxy/anything", token: nil)
                #expect(missing.status == 401 && missing.json["type"] == "not_authenticated", "\(missing.json)")
            }
        } catch {
            Issue.record("\(error)")
        }
        await harness.tearDown()
    }
}
