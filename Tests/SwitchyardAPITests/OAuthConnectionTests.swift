import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import Testing

import SwitchyardAPI
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore
import SwitchyardTestSupport

/// Connections through OAuth 2.0 end to end, against a real authorization server on loopback
/// (authlib, `Tests/Servers/oauth_server.py`): the connect flow with PKCE, requests through
/// the API proxy, refresh on expiry that happens once however many requests need it, transient
/// and definitive refresh failures, and re-authorization.
@Suite(.enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct OAuthConnectionTests {
    /// A browser: follows nothing by itself, so each redirect can be checked.
    final class Browser: Sendable {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

        func send(_ method: HTTPMethod, _ url: String, form: [(String, String)]? = nil, json: JSONValue? = nil) async throws -> (status: Int, location: String?, body: String) {
            var request = HTTPClientRequest(url: url)
            request.method = method
            if let form {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")))
            }
            if let json {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: json.jsonText))
            }
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), response.headers.first(name: "location"), String(buffer: body))
        }

        static func encode(_ text: String) -> String {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
        }
    }

    /// The authorization server's consent form: its action and hidden fields.
    static func consentForm(_ html: String) throws -> (action: String, fields: [(String, String)]) {
        let form = try HTMLForm(page: html)
        return (form.action, form.hiddenFields)
    }

    static func package(port: Int) -> [String: Data] {
        [
            "spec.yml": Data(
                """
                key: tasks
                name: Tasks
                auth:
                  type: oauth2
                  authorizeUri: http://127.0.0.1:\(port)/authorize
                  tokenUri: http://127.0.0.1:\(port)/token
                  clientAuthLocation: header
                  makeApiClient:
                    type: mapping
                    mapping:
                      baseUri: http://127.0.0.1:\(port)/api
                      headers:
                        Authorization:
                          $concat: ["Bearer ", { $var: credentials.access_token }]
                """.utf8)
        ]
    }

    /// Walks the browser through `/connect` → consent → `/oauth-callback`.
    /// - Returns: Where Switchyard finally redirects, and the callback URL (to replay it).
    static func connect(
        _ client: APIClient, browser: Browser, token: String, extra: String = "", integration: String = "hub"
    ) async throws -> (final: String, callback: String) {
        let start = try await client.send(.get, "/connect?integrationKey=\(integration)&redirectUri=\(Browser.encode("https://app.example/done"))&token=\(token)\(extra)", token: nil)
        #expect(start.status == 302, "\(start.json)")
        let authorize = try #require(start.headers[.location])
        #expect(authorize.contains("code_challenge_method=S256") && authorize.contains("code_challenge="), "PKCE is on by default: \(authorize)")
        let page = try await browser.send(.GET, authorize)
        #expect(page.status == 200, "\(page.body)")
        let (action, fields) = try consentForm(page.body)
        let base = String(authorize.prefix { $0 != "?" }.split(separator: "/").prefix(2).joined(separator: "//"))
        let consent = try await browser.send(.POST, action.hasPrefix("http") ? action : base + action, form: fields + [("confirm", "yes")])
        #expect(consent.status == 302, "\(consent.body)")
        let callback = try #require(consent.location)
        #expect(callback.hasPrefix("http://127.0.0.1:5999/oauth-callback?"), "\(callback)")
        let path = String(callback.dropFirst("http://127.0.0.1:5999".count))
        let finished = try await client.send(.get, path, token: nil)
        #expect(finished.status == 302, "\(finished.json)")
        return (try #require(finished.headers[.location]), path)
    }

    static func connectionID(_ redirect: String) -> String? {
        URLComponents(string: redirect)?.queryItems?.first { $0.name == "connectionId" }?.value
    }

    @Test("Connect with PKCE, call through the proxy, refresh once for 100 concurrent requests across two API processes, survive a 503 refresh, disconnect on invalid_grant, reconnect")
    func oauthConnectionLifecycle() async throws {
        let server = try await PythonTestServer.start(
            "oauth_server.py", arguments: ["--client", "switchyard:client-secret-value:http://127.0.0.1/oauth-callback:client_secret_basic", "--rotate-refresh-tokens", "--require-pkce"]
        )
        let browser = Browser()
        let harness = try await APIHarness.make(connections: true)
        let second = try await APIHarness.make(connections: true, sharing: harness)
        do {
            try await harness.withClient { client in
                let admin = try await harness.adminToken()
                let tenant = try await harness.tenantToken("acme")
                func control(_ body: JSONValue) async throws {
                    #expect(try await browser.send(.POST, server.baseURL + "/_control", json: body).status == 200)
                }
                func refreshes() async throws -> Int {
                    let stats = try JSONValue.parse(try await browser.send(.GET, server.baseURL + "/_stats").body)
                    return Int(stats["token_requests"]?["refresh_token"]?.numberValue ?? -1)
                }

                // The connector, its package, and an integration with the OAuth client.
                _ = try await client.send(.post, "/connectors", token: admin, body: ["key": "tasks", "name": "Tasks"])
                let (uploaded, _) = try await client.sendBytes(
                    .post, "/connectors/tasks/upload", token: admin, body: Array(ConnectorArchive.pack(Self.package(port: server.port))), contentType: "application/zip"
                )
                #expect(uploaded.status == 200, "\(uploaded.json)")
                let integration = try await client.send(
                    .post, "/integrations", token: admin,
                    body: ["key": "hub", "name": "Hub", "connectorId": "tasks", "parameters": ["clientId": "switchyard", "clientSecret": "client-secret-value"]]
                )
                #expect(integration.status == 201, "\(integration.json)")

                // Connect: the provider's consent page, the callback, the redirect with the connection.
                let (done, callback) = try await Self.connect(client, browser: browser, token: tenant)
                #expect(done.hasPrefix("https://app.example/done?connectionId="), "\(done)")
                let connectionID = try #require(Self.connectionID(done))
                let replay = try await client.send(.get, callback, token: nil)
                #expect(replay.status == 400 && replay.json["message"]?.stringValue?.contains("already used") == true, "a state works once: \(replay.json)")
                #expect(try await client.send(.get, "/oauth-callback?code=x&state=forged.state", token: nil).status == 400)

                // The proxy adds the connection's token.
                let me = try await client.send(.get, "/connections/\(connectionID)/proxy/me", token: tenant)
                #expect(me.status == 200 && me.json["client_id"] == "switchyard", "\(me.json)")
                let other = try await harness.tenantToken("globex")
                #expect(try await client.send(.get, "/connections/\(connectionID)/proxy/me", token: other).status == 404, "another tenant cannot use it")

                // Expired: the 401 is answered by a refresh and the request goes through.
                try await control(["expire_all": true, "reset_stats": true])
                let after = try await client.send(.get, "/connections/\(connectionID)/proxy/me", token: tenant)
                #expect(after.status == 200, "\(after.json)")
                #expect(try await refreshes() == 1)

                // 100 concurrent requests on an expired token, split over two API processes: one refresh.
                try await control(["expire_all": true, "reset_stats": true, "refresh": "slow:1"])
                let statuses = try await second.withClient { secondClient in
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for index in 0..<100 {
                            let target = index % 2 == 0 ? client : secondClient
                            group.addTask { try await target.send(.get, "/connections/\(connectionID)/proxy/me", token: tenant).status }
                        }
                        return try await group.reduce(into: [Int]()) { $0.append($1) }
                    }
                }
                #expect(statuses.filter { $0 == 200 }.count == 100, "\(Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count))")
                #expect(try await refreshes() == 1, "exactly one refresh reached the provider")

                // A refresh answered 503: still connected, refresh token untouched, error to retry.
                let owner = try await harness.store.records.get(.connections, id: connectionID, scope: .workspace(harness.workspace.key)).tenantID
                let scope = StoreScope.tenant(try #require(owner), in: harness.workspace.key)
                let before = try await harness.store.records.get(.connections, id: connectionID, scope: scope)
                try await control(["expire_all": true, "refresh": "503"])
                let unavailable = try await client.send(.get, "/connections/\(connectionID)/proxy/me", token: tenant)
                #expect(unavailable.status == 503 && unavailable.json["key"] == "unavailable", "\(unavailable.json)")
                let kept = try await harness.store.records.get(.connections, id: connectionID, scope: scope)
                #expect(kept.document["state"] == "connected")
                #expect(kept.secret?["credentials"]?["refresh_token"] == before.secret?["credentials"]?["refresh_token"], "the stored refresh token is unchanged")

                // invalid_grant: disconnected with the reason, never deleted.
                try await control(["refresh": "invalid_grant"])
                let refused = try await client.send(.post, "/connections/\(connectionID)/refresh-credentials", token: tenant)
                #expect(refused.status == 403, "\(refused.json)")
                let disconnected = try await client.send(.get, "/connections/\(connectionID)", token: tenant)
                #expect(disconnected.json["state"] == "disconnected" && disconnected.json["disconnectedReason"]?.stringValue?.contains("invalid_grant") == true, "\(disconnected.json)")
                #expect(disconnected.json["archivedAt"] == nil)
                #expect(try await client.send(.get, "/connections/\(connectionID)/proxy/me", token: tenant).status == 403)

                // Re-authorization through /connect?connectionId= restores the same connection.
                try await control(["refresh": "ok"])
                let (again, _) = try await Self.connect(client, browser: browser, token: tenant, extra: "&connectionId=\(connectionID)")
                #expect(Self.connectionID(again) == connectionID, "\(again)")
                let restored = try await client.send(.get, "/connections/\(connectionID)", token: tenant)
                #expect(restored.json["state"] == "connected" && restored.json["disconnectedReason"] == nil, "\(restored.json)")
                #expect(try await client.send(.get, "/connections/\(connectionID)/proxy/me", token: tenant).status == 200)

                // Credentials never show in the API.
                #expect(!restored.json.jsonText.contains("access_token") && !restored.json.jsonText.contains("refresh_token"))

                // Every request reached the external API log, with no credential in it.
                await harness.logSink?.flush()
                await second.logSink?.flush()
                let logs = try await client.send(.get, "/external-api-logs?limit=1000", token: admin)
                let entries = logs.json["items"]?.arrayCount ?? 0
                #expect(entries > 100, "proxied requests, token requests and refreshes are logged: \(entries)")
                let mine = try await client.send(.get, "/external-api-logs?connectionId=\(connectionID)&limit=5", token: tenant)
                #expect(mine.json["items"]?.arrayCount == 5 && mine.json["items"]?.jsonText.contains("/api/me") == true, "\(mine.json)")
                let latest = try await harness.store.records.get(.connections, id: connectionID, scope: scope)
                var secrets = ["client-secret-value"]
                for credentials in [before.secret?["credentials"], kept.secret?["credentials"], latest.secret?["credentials"]] {
                    for name in ["access_token", "refresh_token"] { if let value = credentials?[name]?.stringValue { secrets.append(value) } }
                }
                #expect(secrets.count >= 5)
                for secret in secrets { #expect(!logs.json.jsonText.contains(secret), "a credential is in the external API log") }
                #expect(logs.json.jsonText.contains("[redacted]"), "authorization headers are logged redacted")
            }
        } catch {
            Issue.record("\(error)\nOAuth server log:\n\(server.errorTail)")
        }
        try? await harness.http?.shutdown()
        try? await second.http?.shutdown()
        try? await browser.client.shutdown()
        await server.stop()
        harness.remove()
    }
}
