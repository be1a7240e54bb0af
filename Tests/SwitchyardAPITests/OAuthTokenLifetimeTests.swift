import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardAPI
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardEngine
import SwitchyardTestSupport
import Testing

/// OAuth 2.0 tokens of any lifetime, against the real authorization server on loopback (authlib,
/// `Tests/Servers/oauth_server.py --access-token-lifetime`): a fresh token is used, not
/// refreshed, however short it lives, and an expired one is refreshed exactly once however many
/// requests meet it; an OAuth 2.0 client whose `makeApiClient` sets no `Authorization` sends the
/// access token as a bearer token, as docs/connectors.md says.
@Suite(.enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct OAuthTokenLifetimeTests {
    typealias Browser = OAuthConnectionTests.Browser
    static let client = "switchyard:client-secret-value:http://127.0.0.1/oauth-callback:client_secret_basic"

    /// The connector `tasks` (the authorization server's `/api` as its API, with the given
    /// `makeApiClient` mapping) and the integration `hub` holding the OAuth client.
    static func install(_ client: APIClient, admin: String, port: Int, mapping: String? = nil) async throws {
        let mapping =
            mapping ?? """
                      baseUri: http://127.0.0.1:\(port)/api
                      headers:
                        Authorization:
                          $concat: ["Bearer ", { $var: credentials.access_token }]
                """
        try await ConnectionFlowTests.install(
            client, admin: admin,
            spec: """
                auth:
                  type: oauth2
                  authorizeUri: http://127.0.0.1:\(port)/authorize
                  tokenUri: http://127.0.0.1:\(port)/token
                  clientAuthLocation: header
                  makeApiClient:
                    type: mapping
                    mapping:
                \(mapping)
                """,
            parameters: ["clientId": "switchyard", "clientSecret": "client-secret-value"]
        )
    }

    static func stats(_ browser: Browser, _ server: PythonTestServer) async throws -> JSONValue {
        try JSONValue.parse(try await browser.send(.GET, server.baseURL + "/_stats").body)
    }

    static func refreshes(_ stats: JSONValue) -> Int {
        Int(stats["token_requests"]?["refresh_token"]?.numberValue ?? -1)
    }

    @Test(
        "A fresh token is not refreshed (5 sequential calls: 0 refreshes); 100 concurrent calls on an expired one make exactly 1 refresh",
        arguments: [3, 60]
    )
    func tokenLifetimes(lifetime: Int) async throws {
        let server = try await PythonTestServer.start(
            "oauth_server.py", arguments: ["--client", Self.client, "--rotate-refresh-tokens", "--access-token-lifetime", String(lifetime)]
        )
        let browser = Browser()
        let harness = try await APIHarness.make(connections: true)
        do {
            try await harness.withClient { client in
                let admin = try await harness.adminToken()
                let tenant = try await harness.tenantToken("acme")
                try await Self.install(client, admin: admin, port: server.port)
                let connecting = ContinuousClock.now
                let (done, _) = try await OAuthConnectionTests.connect(client, browser: browser, token: tenant)
                let connectionID = try #require(OAuthConnectionTests.connectionID(done), "\(done)")

                // Fresh: five calls in a row use the token as it is.
                for call in 1...5 {
                    let me = try await client.send(.get, "/connections/\(connectionID)/proxy/me", token: tenant)
                    #expect(me.status == 200 && me.json["client_id"] == "switchyard", "call \(call): \(me.json)")
                }
                let fresh = try await Self.stats(browser, server)
                let freshBudget = RefreshBudget.allowed(expected: 0, lifetime: lifetime, elapsed: .now - connecting)
                #expect(Self.refreshes(fresh) <= freshBudget, "a fresh \(lifetime) s token was refreshed: \(fresh)")

                // Expired: a short token runs out by itself; a long one is expired at the provider.
                let connected = try await client.send(.get, "/connections/\(connectionID)", token: tenant).json
                let expiresAt = try #require(connected["credentialsExpiresAt"]?.numberValue, "\(connected)")
                if lifetime < 10 {
                    let deadline = Date().addingTimeInterval(Double(lifetime) + 10)
                    while Date().timeIntervalSince1970 <= expiresAt, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
                    #expect(Date().timeIntervalSince1970 > expiresAt, "the token did not expire in time")
                } else {
                    #expect(try await browser.send(.POST, server.baseURL + "/_control", json: ["expire_all": true]).status == 200)
                }
                #expect(try await browser.send(.POST, server.baseURL + "/_control", json: ["reset_stats": true]).status == 200)
                let current = try await client.send(.get, "/connections/\(connectionID)", token: tenant).json
                let revision = try #require(current["credentialsRevision"]?.numberValue, "\(current)")
                let burst = ContinuousClock.now
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<100 { group.addTask { try await client.send(.get, "/connections/\(connectionID)/proxy/me", token: tenant).status } }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                let counts = Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count)
                #expect(statuses.count == 100 && statuses.allSatisfy { $0 == 200 }, "\(counts)")
                let expired = try await Self.stats(browser, server)
                let burstBudget = RefreshBudget.allowed(expected: 1, lifetime: lifetime, elapsed: .now - burst)
                #expect((1...burstBudget).contains(Self.refreshes(expired)), "100 concurrent calls on an expired \(lifetime) s token: \(expired)")
                let after = try await client.send(.get, "/connections/\(connectionID)", token: tenant).json
                #expect(after["credentialsRevision"]?.numberValue == revision + Double(Self.refreshes(expired)), "one revision per refresh: \(after)")

                // The refreshed token is fresh too: five more calls in a row make no refresh.
                for call in 1...5 {
                    let me = try await client.send(.get, "/connections/\(connectionID)/proxy/me", token: tenant)
                    #expect(me.status == 200, "call \(call) after the refresh")
                }
                let settled = try await Self.stats(browser, server)
                let settledBudget = RefreshBudget.allowed(expected: Self.refreshes(expired), lifetime: lifetime, elapsed: .now - burst)
                #expect(Self.refreshes(settled) <= settledBudget, "the refreshed \(lifetime) s token was refreshed again: \(settled)")
            }
        } catch {
            Issue.record("\(error)\nOAuth server log:\n\(server.errorTail)")
        }
        await harness.tearDown(browser: browser, servers: [server])
    }

    @Test("An OAuth 2.0 makeApiClient that sets no Authorization gets the default Authorization: Bearer <access_token>")
    func defaultBearerHeader() async throws {
        let server = try await PythonTestServer.start("oauth_server.py", arguments: ["--client", Self.client, "--rotate-refresh-tokens"])
        let browser = Browser()
        let harness = try await APIHarness.make(connections: true)
        do {
            try await harness.withClient { client in
                let admin = try await harness.adminToken()
                let tenant = try await harness.tenantToken("acme")
                // makeApiClient gives the base URI only: no Authorization of its own.
                try await Self.install(client, admin: admin, port: server.port, mapping: "      baseUri: http://127.0.0.1:\(server.port)/api")
                let (done, _) = try await OAuthConnectionTests.connect(client, browser: browser, token: tenant)
                let connectionID = try #require(OAuthConnectionTests.connectionID(done), "\(done)")
                let me = try await client.send(.get, "/connections/\(connectionID)/proxy/me", token: tenant)
                #expect(me.status == 200 && me.json["client_id"] == "switchyard", "\(me.json)")
                let echo = try await client.send(.get, "/connections/\(connectionID)/proxy/echo?q=1", token: tenant)
                #expect(echo.status == 200 && echo.json["query"]?["q"] == "1", "\(echo.json)")
                let stats = try await Self.stats(browser, server)
                #expect(Self.refreshes(stats) == 0 && stats["api_rejected"] == 0, "every call carried the token, none was refused: \(stats)")
            }
        } catch {
            Issue.record("\(error)\nOAuth server log:\n\(server.errorTail)")
        }
        await harness.tearDown(browser: browser, servers: [server])
    }
}
