import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardAPI
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// The connect flows and lifecycle beyond OAuth 2.0's happy path, each against a real server
/// on loopback: OAuth 1.0a three-legged (authlib's provider), `switchyard-token` calls to the
/// SaaS's own API and credentials kept in its store (`external_api`), headless connection
/// requests, revocation on disconnect (authlib's RFC 7009 endpoint), operations, and the
/// refresh scheduled ahead of expiry.
@Suite(.enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct ConnectionFlowTests {
    typealias Browser = OAuthConnectionTests.Browser

    /// Uploads a one-file connector package and creates integration `hub` on it.
    static func install(
        _ client: APIClient, admin: String, spec: String, files: [String: String] = [:], parameters: JSONValue = [:], integration: String = "hub"
    ) async throws {
        let key = "conn-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await client.send(.post, "/connectors", token: admin, body: ["key": .string(key), "name": "Under test"])
        var package = ["spec.yml": Data("key: \(key)\nname: Under test\n\(spec)".utf8)]
        for (name, text) in files { package[name] = Data(text.utf8) }
        let (uploaded, _) = try await client.sendBytes(
            .post, "/connectors/\(key)/upload", token: admin, body: Array(ConnectorArchive.pack(package)), contentType: "application/zip")
        #expect(uploaded.status == 200, "\(uploaded.json)")
        let created = try await client.send(
            .post, "/integrations", token: admin,
            body: ["key": .string(integration), "name": "Hub", "connectorId": .string(key), "parameters": parameters])
        #expect(created.status == 201, "\(created.json)")
    }

    static func query(_ url: String, _ name: String) -> String? {
        URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
    }

    static func json(_ browser: Browser, _ url: String) async throws -> JSONValue {
        try JSONValue.parse(try await browser.send(.GET, url).body)
    }

    @Test(
        """
        OAuth 1.0a: request token, the user's consent, access token; signed requests through the proxy; a refusal at the provider comes back as an \
        error
        """
    )
    func oauth1ThreeLegged() async throws {
        let server = try await PythonTestServer.start("oauth1_server.py", arguments: ["--client", "switchyard-consumer:consumer-secret-value"])
        let browser = Browser()
        let harness = try await APIHarness.make(connections: true)
        do {
            try await harness.withClient { client in
                let admin = try await harness.adminToken()
                let tenant = try await harness.tenantToken("acme")
                try await Self.install(
                    client, admin: admin,
                    spec: """
                        auth:
                          type: oauth1
                          requestTokenUri: \(server.baseURL)/oauth/request_token
                          authorizeUri: \(server.baseURL)/oauth/authorize
                          accessTokenUri: \(server.baseURL)/oauth/access_token
                          makeApiClient:
                            type: mapping
                            mapping:
                              baseUri: \(server.baseURL)/api
                        """,
                    parameters: ["consumerKey": "switchyard-consumer", "consumerSecret": "consumer-secret-value"]
                )
                func walk(confirm: String) async throws -> String {
                    let start = try await client.send(
                        .get, "/connect?integrationKey=hub&redirectUri=\(Browser.encode("https://app.example/done"))&token=\(tenant)", token: nil)
                    #expect(start.status == 302, "\(start.json)")
                    let authorize = try #require(start.headers[.location])
                    #expect(authorize.hasPrefix(server.baseURL + "/oauth/authorize?oauth_token="), "\(authorize)")
                    let page = try await browser.send(.GET, authorize)
                    let (_, fields) = try OAuthConnectionTests.consentForm(page.body)
                    let consent = try await browser.send(
                        .POST, server.baseURL + "/oauth/authorize", form: fields + [("username", "ada"), ("confirm", confirm)])
                    #expect(consent.status == 302, "\(consent.body)")
                    let callback = try #require(consent.location)
                    #expect(callback.hasPrefix("http://127.0.0.1:5999/oauth-callback?state="), "\(callback)")
                    let finished = try await client.send(.get, String(callback.dropFirst("http://127.0.0.1:5999".count)), token: nil)
                    #expect(finished.status == 302, "\(finished.json)")
                    return try #require(finished.headers[.location])
                }
                let done = try await walk(confirm: "yes")
                let connectionID = try #require(Self.query(done, "connectionId"), "\(done)")
                let me = try await client.send(.get, "/connections/\(connectionID)/proxy/me", token: tenant)
                #expect(me.status == 200 && me.json["user"] == "ada" && me.json["client_key"] == "switchyard-consumer", "\(me.json)")
                let echo = try await client.send(
                    .post, "/connections/\(connectionID)/proxy/echo?q=caf%C3%A9", token: tenant, body: ["note": "signed"])
                #expect(echo.status == 200 && echo.json["query"]?["q"] == "café", "query parameters are signed too: \(echo.json)")
                let stored = try await harness.store.records.get(.connections, id: connectionID, scope: .workspace(harness.workspace.key))
                #expect(stored.document["state"] == "connected")

                let denied = try await walk(confirm: "no")
                #expect(denied.hasPrefix("https://app.example/done?error="), "\(denied)")
                #expect(Self.query(denied, "error")?.contains("refused") == true, "\(denied)")

                // Token credentials revoked at the provider: the proxy passes the 401 on (OAuth 1.0 has no refresh).
                _ = try await browser.send(.POST, server.baseURL + "/_control", json: ["revoke_all": true])
                #expect(try await client.send(.get, "/connections/\(connectionID)/proxy/me", token: tenant).status == 401)
                let stats = try await Self.json(browser, server.baseURL + "/_stats")
                #expect(stats["request_token"] == 2 && stats["access_token"] == 1, "\(stats)")
            }
        } catch {
            Issue.record("\(error)\nOAuth 1 server log:\n\(server.errorTail)")
        }
        await harness.tearDown(browser: browser, servers: [server])
    }

    @Test(
        """
        switchyard-token connections call the SaaS's API with a token it verifies; external_api storage keeps credentials in the SaaS's store, never \
        in the database; connection requests run headless
        """
    )
    func switchyardTokenExternalCredentialsAndRequests() async throws {
        // The SaaS server needs the workspace's key and secret, so the workspace comes first.
        let base = try await APIHarness.make()
        let saas = try await PythonTestServer.start(
            "saas_server.py", arguments: ["--workspace-key", base.workspace.key, "--secret", base.workspace.secret])
        let harness = try await APIHarness.make(connections: true, sharing: base, credentialStorage: .externalAPI(saas.baseURL + "/credentials"))
        let browser = Browser()
        do {
            try await harness.withClient { client in
                let admin = try await harness.adminToken()
                let tenant = try await harness.tenantToken("acme", claims: ["fields": ["plan": "pro"]])
                try await Self.install(
                    client, admin: admin,
                    spec: """
                        auth:
                          type: switchyard-token
                          inputSchema:
                            type: object
                            required: [account]
                            properties:
                              account: { type: string }
                          makeApiClient:
                            type: mapping
                            mapping:
                              headers:
                                X-Account: { $var: credentials.account }
                        """,
                    parameters: ["baseUri": .string(saas.baseURL + "/api")]
                )
                // A headless request: the link needs no token and shows the form.
                let created = try await client.send(
                    .post, "/connection-requests", token: tenant,
                    body: ["integrationKey": "hub", "redirectUri": "https://app.example/done", "customState": "s1"])
                #expect(created.status == 201 && created.json["status"] == "created", "\(created.json)")
                let requestID = try #require(created.json["id"]?.stringValue)
                let link = try #require(created.json["url"]?.stringValue)
                #expect(link.hasPrefix("http://127.0.0.1:5999/connect?requestToken="), "\(link)")
                let requestToken = try #require(Self.query(link, "requestToken"))
                let form = try await client.send(.get, String(link.dropFirst("http://127.0.0.1:5999".count)), token: nil)
                #expect(
                    form.status == 200 && (form.json.stringValue ?? "").contains("name=\"input.account\"")
                        && (form.json.stringValue ?? "").contains("requestToken"), "\((form.json.stringValue ?? ""))")
                let done = try await client.send(
                    .post, "/connect", token: nil, body: ["requestToken": .string(requestToken), "input": ["account": "acct-secret-4711"]])
                #expect(done.status == 302, "\(done.json)")
                let redirect = try #require(done.headers[.location])
                #expect(redirect.hasPrefix("https://app.example/done?connectionId=") && redirect.contains("customState=s1"), "\(redirect)")
                let connectionID = try #require(Self.query(redirect, "connectionId"))
                let finished = try await client.send(.get, "/connection-requests/\(requestID)", token: tenant)
                #expect(finished.json["status"] == "success" && finished.json["resultConnectionId"] == .string(connectionID), "\(finished.json)")
                let again = try await client.send(
                    .post, "/connect", token: nil, body: ["requestToken": .string(requestToken), "input": ["account": "x"]])
                #expect(
                    again.status == 400 && again.json["message"]?.stringValue?.contains("already complete") == true,
                    "a request connects once: \(again.json)")
                let badRequest = try await client.send(.post, "/connection-requests", token: tenant, body: ["redirectUri": "ftp://x"])
                #expect(
                    badRequest.status == 400 && badRequest.json["data"]?["integrationKey"] != nil && badRequest.json["data"]?["redirectUri"] != nil,
                    "\(badRequest.json)")
                #expect(
                    try await client.send(.post, "/connection-requests", token: admin, body: ["integrationKey": "hub"]).status == 403,
                    "an admin has no tenant to connect")
                #expect(try await client.send(.post, "/integrations", token: admin, body: ["key": "bare", "name": "Bare"]).status == 201)
                let bare = try await client.send(.post, "/connection-requests", token: tenant, body: ["integrationKey": "bare"])
                #expect(bare.status == 409 && bare.json["key"] == "conflict", "an integration without a connector is not ready: \(bare.json)")

                // The credentials live in the SaaS's store, not in the database.
                let dump = try await Self.json(browser, saas.baseURL + "/_credentials")
                #expect(dump[connectionID]?["credentials"]?["account"] == "acct-secret-4711" && dump[connectionID]?["tenant"] == "acme", "\(dump)")
                let row = try await harness.store.records.get(.connections, id: connectionID, scope: .workspace(harness.workspace.key))
                #expect(row.secret?["credentials"] == nil, "\(String(describing: row.secret))")

                // Calls to the SaaS's API carry a token it verifies, and the credentials read back from its store.
                let echo = try await client.send(.get, "/connections/\(connectionID)/proxy/orders?limit=2", token: tenant)
                #expect(echo.status == 200, "\(echo.json)")
                #expect(echo.json["token"]?["iss"] == .string(harness.workspace.key) && echo.json["token"]?["sub"] == "acme", "\(echo.json)")
                #expect(echo.json["token"]?["fields"]?["plan"] == "pro" && echo.json["path"] == "/api/orders", "\(echo.json)")
                #expect(echo.json["headers"]?["x-account"] == "acct-secret-4711", "\(echo.json)")
                let gets = try await Self.json(browser, saas.baseURL + "/_stats")["credentials_get"]?.numberValue ?? 0
                _ = try await client.send(.get, "/connections/\(connectionID)/proxy/orders", token: tenant)
                #expect(
                    try await Self.json(browser, saas.baseURL + "/_stats")["credentials_get"]?.numberValue == gets,
                    "read once per credentials revision, then cached")

                // The SaaS's store answering 503: the request fails clearly, nothing is lost.
                #expect(try await browser.send(.POST, saas.baseURL + "/_control", json: ["credentials": "503"]).status == 200)
                let other = try await client.send(
                    .post, "/connect", token: nil,
                    body: ["integrationKey": "hub", "token": .string(tenant), "input": ["account": "second"], "allowMultipleConnections": "true"])
                #expect(other.status == 503 && other.json["message"]?.stringValue?.contains("credentials store") == true, "\(other.json)")
                #expect(
                    try await client.send(.get, "/connections", token: tenant).json["items"]?.arrayCount == 1, "no connection without its credentials"
                )
                #expect(try await browser.send(.POST, saas.baseURL + "/_control", json: ["credentials": "ok"]).status == 200)

                // Disconnecting removes them from the SaaS's store too.
                let disconnected = try await client.send(.post, "/connections/\(connectionID)/disconnect", token: tenant)
                #expect(disconnected.status == 200 && disconnected.json["state"] == "disconnected", "\(disconnected.json)")
                #expect(try await Self.json(browser, saas.baseURL + "/_credentials")[connectionID] == nil)
                #expect(try await client.send(.get, "/connections/\(connectionID)/proxy/orders", token: tenant).status == 403)

                // Nothing secret in the external API log.
                await harness.logSink?.flush()
                let logs = try await client.send(.get, "/external-api-logs?limit=1000", token: admin)
                #expect(!logs.json.jsonText.contains("acct-secret-4711"), "the credentials are not in the external API log")
            }
        } catch {
            Issue.record("\(error)\nSaaS server log:\n\(saas.errorTail)")
        }
        await harness.tearDown(browser: browser, servers: [saas])
    }

    @Test(
        """
        getOAuthConfig supplies endpoints; an operation runs as the connection; the refresh scheduled ahead of expiry refreshes once per revision; \
        disconnecting revokes the token at the provider
        """
    )
    func operationsScheduledRefreshAndRevoke() async throws {
        let server = try await PythonTestServer.start(
            "oauth_server.py",
            arguments: [
                "--client", "switchyard:client-secret-value:http://127.0.0.1/oauth-callback:client_secret_basic", "--access-token-lifetime", "600",
            ]
        )
        let browser = Browser()
        let harness = try await APIHarness.make(connections: true)
        do {
            try await harness.withClient { client in
                let admin = try await harness.adminToken()
                let tenant = try await harness.tenantToken("acme")
                func stats() async throws -> JSONValue { try await Self.json(browser, server.baseURL + "/_stats") }
                try await Self.install(
                    client, admin: admin,
                    spec: """
                        auth:
                          type: oauth2
                          authorizeUri: \(server.baseURL)/authorize
                          clientAuthLocation: header
                          getOAuthConfig:
                            type: mapping
                            mapping:
                              tokenUri: { $concat: [{ $var: connectorParameters.instance }, "/token"] }
                              revokeUri: { $concat: [{ $var: connectorParameters.instance }, "/revoke"] }
                          makeApiClient:
                            type: mapping
                            mapping:
                              baseUri: \(server.baseURL)/api
                              auth:
                                bearer: { $var: credentials.access_token }
                        """,
                    files: [
                        "operations/whoami/spec.yml":
                            """
                            name: Who am I\nrun:\n  type: rest-api-mapping\n  path: /echo\n  method: POST\n  requestMapping:\n    data:\n      note: \
                            { $var: input.note }\n  responseMapping:\n    user: { $var: response.data.token.sub }\n    note: { $var: \
                            response.data.json.note }\n
                            """
                    ],
                    parameters: ["clientId": "switchyard", "clientSecret": "client-secret-value", "instance": .string(server.baseURL)]
                )
                // The token and revocation endpoints come from getOAuthConfig over the integration's parameters.
                let (done, _) = try await OAuthConnectionTests.connect(client, browser: browser, token: tenant)
                let connectionID = try #require(OAuthConnectionTests.connectionID(done))

                let run = try await client.send(.post, "/connections/\(connectionID)/operations/whoami/run", token: tenant, body: ["note": "hello"])
                #expect(run.status == 200 && run.json["output"]?["user"] == "testuser" && run.json["output"]?["note"] == "hello", "\(run.json)")
                let unknown = try await client.send(.post, "/connections/\(connectionID)/operations/nope/run", token: tenant, body: [:])
                #expect(unknown.status == 404 && unknown.json["message"]?.stringValue?.contains("whoami") == true, "\(unknown.json)")

                // Storing expiring credentials scheduled their refresh, due before they expire.
                let connection = try await harness.store.records.get(.connections, id: connectionID, scope: .workspace(harness.workspace.key))
                let expiresAt = try #require(connection.document["credentialsExpiresAt"]?.numberValue)
                let jobs = try await harness.store.jobs.jobs(states: [], limit: 100, afterID: nil).filter {
                    $0.kind == CredentialRefresher.refreshJobKind
                }
                #expect(jobs.count == 1, "\(jobs)")
                let job = try #require(jobs.first)
                let due = Double(job.scheduledAt) / 1_000_000
                #expect(due < expiresAt && due > expiresAt - 301, "due \(due), expiry \(expiresAt)")
                let lifecycle = try #require(harness.connections).lifecycle
                _ = try await browser.send(.POST, server.baseURL + "/_control", json: ["reset_stats": true])
                let outcome = try await lifecycle.refreshScheduled(job.args)
                #expect(outcome.contains("refreshed to revision 2"), "\(outcome)")
                #expect(try await stats()["token_requests"]?["refresh_token"] == 1)
                #expect(try await lifecycle.refreshScheduled(job.args).contains("changed since"), "a job of an old revision does nothing")
                #expect(try await stats()["token_requests"]?["refresh_token"] == 1)
                let next = try await harness.store.jobs.jobs(states: [], limit: 100, afterID: nil).filter {
                    $0.kind == CredentialRefresher.refreshJobKind
                }
                #expect(next.count == 2 && next.contains { $0.args["revision"] == 2 }, "the new credentials got their own refresh: \(next)")

                // Disconnect (archive): the provider revokes the token; the connection stays, archived and disconnected.
                let archived = try await client.send(.delete, "/connections/\(connectionID)", token: tenant)
                #expect(
                    archived.status == 200 && archived.json["state"] == "disconnected" && archived.json["archivedAt"] != nil
                        && archived.json["revokeError"] == nil, "\(archived.json)")
                #expect(try await stats()["revoked"] == 1)
                #expect(try await client.send(.get, "/connections/\(connectionID)/proxy/me", token: tenant).status == 404)
                let kept = try await harness.store.records.get(.connections, id: connectionID, scope: .workspace(harness.workspace.key))
                #expect(kept.secret?["credentials"] == nil, "the credentials are gone")
            }
        } catch {
            Issue.record("\(error)\nOAuth server log:\n\(server.errorTail)")
        }
        await harness.tearDown(browser: browser, servers: [server])
    }

    @Test("A connector's credentialsExpiredWhen decides which answers mean expired credentials, for the proxy and for operations")
    func connectorDeclaredExpiry() async throws {
        let server = try await PythonTestServer.start(
            "oauth_server.py", arguments: ["--client", "switchyard:client-secret-value:http://127.0.0.1/oauth-callback:client_secret_basic"]
        )
        let browser = Browser()
        let harness = try await APIHarness.make(connections: true)
        do {
            try await harness.withClient { client in
                let admin = try await harness.adminToken()
                let tenant = try await harness.tenantToken("acme")
                func refreshes() async throws -> Int {
                    Int(try await Self.json(browser, server.baseURL + "/_stats")["token_requests"]?["refresh_token"]?.numberValue ?? -1)
                }
                func spec(_ error: String) -> String {
                    """
                    auth:
                      type: oauth2
                      authorizeUri: \(server.baseURL)/authorize
                      tokenUri: \(server.baseURL)/token
                      clientAuthLocation: header
                      credentialsExpiredWhen:
                        $and:
                          - { $eval: { $var: response.statusCode }, is: 401 }
                          - { $eval: { $var: response.data.error }, is: \(error) }
                      makeApiClient:
                        type: mapping
                        mapping:
                          baseUri: \(server.baseURL)/api
                          auth:
                            bearer: { $var: credentials.access_token }
                    """
                }
                let operation = ["operations/me/spec.yml": "name: Me\nrun:\n  type: rest-api-mapping\n  path: /me\n  method: GET\n"]
                let parameters: JSONValue = ["clientId": "switchyard", "clientSecret": "client-secret-value"]
                try await Self.install(client, admin: admin, spec: spec("invalid_token"), files: operation, parameters: parameters)
                let (done, _) = try await OAuthConnectionTests.connect(client, browser: browser, token: tenant)
                let connectionID = try #require(OAuthConnectionTests.connectionID(done))

                // The provider's "invalid_token" is what this connector calls expired: one refresh, then through.
                _ = try await browser.send(.POST, server.baseURL + "/_control", json: ["expire_all": true, "reset_stats": true])
                #expect(try await client.send(.get, "/connections/\(connectionID)/proxy/me", token: tenant).status == 200)
                #expect(try await refreshes() == 1)
                _ = try await browser.send(.POST, server.baseURL + "/_control", json: ["expire_all": true])
                #expect(try await client.send(.post, "/connections/\(connectionID)/operations/me/run", token: tenant, body: [:]).status == 200)
                #expect(try await refreshes() == 2)

                // A connector whose expiry answer is something else: the 401 is the API's answer, passed on, no refresh.
                try await Self.install(client, admin: admin, spec: spec("token_expired"), parameters: parameters, integration: "strict")
                let (strictDone, _) = try await OAuthConnectionTests.connect(client, browser: browser, token: tenant, integration: "strict")
                let strictID = try #require(OAuthConnectionTests.connectionID(strictDone))
                #expect(strictID != connectionID)
                _ = try await browser.send(.POST, server.baseURL + "/_control", json: ["expire_all": true, "reset_stats": true])
                let passed = try await client.send(.get, "/connections/\(strictID)/proxy/me", token: tenant)
                #expect(passed.status == 401 && passed.json["error"] == "invalid_token", "\(passed.json)")
                #expect(try await refreshes() == 0)
            }
        } catch {
            Issue.record("\(error)\nOAuth server log:\n\(server.errorTail)")
        }
        await harness.tearDown(browser: browser, servers: [server])
    }
}
