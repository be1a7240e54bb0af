import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// OAuth 2.0 connections across real `switchyard` processes that share one PostgreSQL database
/// and one DATA_DIR, against a real authorization server on loopback (authlib,
/// `Tests/Servers/oauth_server.py`): 100 concurrent proxy requests on an expired token, split
/// over two API processes, cause exactly one refresh at the provider and all succeed; and
/// credentials that expire are refreshed ahead of their expiry by an instant-worker process, on
/// the job the orchestrator makes due, without any request being made.
@Suite(
    .enabled(if: TestEnvironment.canRunBinary, "needs the switchyard binary"),
    .enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"),
    .timeLimit(.minutes(6))
)
struct ConnectionProcessTests {
    static let logger = Logger(label: "connection-process-test")
    /// The OAuth client the authorization server knows. A loopback redirect URI without a port
    /// accepts any port, so it matches the first API process's callback whatever port it has.
    static let clientArgument = "switchyard:client-secret-value:http://127.0.0.1/oauth-callback:client_secret_basic"
    /// The job kind of a refresh scheduled ahead of expiry (`CredentialRefresher.refreshJobKind`).
    static let refreshJobKind = "connections.refresh-credentials"

    // MARK: Tests

    @Test(
        """
        100 concurrent proxy requests on an expired token, split over two API processes on one database, cause exactly one refresh at the provider, \
        and all 100 succeed
        """,
        .enabled(if: TestEnvironment.canUsePostgres, "needs PostgreSQL")
    )
    func concurrentExpiredRequestsOnTwoAPIProcessesRefreshOnce() async throws {
        let callbackPort = try RawConnection.freePort()
        let (database, environment) = try await Self.postgresEnvironment(callbackPort: callbackPort)
        defer { database.drop() }
        let oauth = try await PythonTestServer.start(
            "oauth_server.py", arguments: ["--client", Self.clientArgument, "--rotate-refresh-tokens", "--require-pkce"])
        let browser = ConnectionProcessBrowser()
        var processes: [SwitchyardProcess] = []
        do {
            // The first API process listens where BASE_OAUTH_CALLBACK_URI points and takes the connect flow.
            let first = try SwitchyardProcess(["serve", "--role", "api"], environment: environment.merging(["PORT": String(callbackPort)]) { $1 })
            processes.append(first)
            let api = ConnectionProcessAPI(port: try await first.waitUntilHealthy(timeout: .seconds(60)), browser: browser)
            #expect(api.port == callbackPort, "the first API process must listen where BASE_OAUTH_CALLBACK_URI points")
            let admin = try await Self.token(["--admin"], environment: environment)
            try await Self.setUpIntegration(api, admin: admin, oauth: oauth)
            let tenant = try await Self.token(["--tenant", "acme"], environment: environment)
            let connectionID = try await Self.connect(api, oauth: oauth, tenant: tenant)

            // The second API process, on the same database and DATA_DIR.
            let second = try SwitchyardProcess(["serve", "--role", "api"], environment: environment)
            processes.append(second)
            let other = ConnectionProcessAPI(port: try await second.waitUntilHealthy(timeout: .seconds(60)), browser: browser)
            let running = processes

            // Both proxy with the stored token: the second finds the connector package in the
            // shared blobs and decrypts the credentials with the shared ENCRYPTION_SECRET.
            for target in [api, other] {
                let me = try await target.send(.GET, "/connections/\(connectionID)/proxy/me", token: tenant)
                #expect(
                    me.status == 200 && me.json["client_id"] == "switchyard", "through port \(target.port): \(me.body)\n\(Self.logs(running, oauth))")
            }
            let before = try await api.send(.GET, "/connections/\(connectionID)", token: tenant).json["credentialsRevision"]?.numberValue

            // Every access token expires; the refresh takes a second, so all 100 requests meet the
            // expired token while it is in flight.
            try await Self.control(oauth, browser, ["expire_all": true, "reset_stats": true, "refresh": "slow:1"])
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<100 {
                    let target = index % 2 == 0 ? api : other
                    group.addTask { try await target.send(.GET, "/connections/\(connectionID)/proxy/me", token: tenant).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let counts = Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count)
            #expect(statuses.count == 100 && statuses.allSatisfy { $0 == 200 }, "statuses: \(counts)\n\(Self.logs(running, oauth))")
            let stats = try await Self.stats(oauth, browser)
            #expect(Self.refreshes(stats) == 1, "exactly one refresh must reach the provider: \(stats.jsonText)\n\(Self.logs(running, oauth))")
            let after = try await api.send(.GET, "/connections/\(connectionID)", token: tenant).json["credentialsRevision"]?.numberValue
            #expect(
                before != nil && after == before.map { $0 + 1 },
                "one refresh makes one new credentials revision: \(String(describing: before)) → \(String(describing: after))"
            )
        } catch {
            Issue.record("\(error)\n\(Self.logs(processes, oauth))")
        }
        await Self.stop(processes, oauth, browser)
    }

    @Test(
        """
        Tokens of 3 s and 60 s across two API processes: 5 sequential calls on a fresh token make no refresh, 100 concurrent calls on an expired one \
        make exactly one
        """,
        .enabled(if: TestEnvironment.canUsePostgres, "needs PostgreSQL"),
        arguments: [3, 60]
    )
    func tokenLifetimesOnTwoAPIProcesses(lifetime: Int) async throws {
        let callbackPort = try RawConnection.freePort()
        let (database, environment) = try await Self.postgresEnvironment(callbackPort: callbackPort)
        defer { database.drop() }
        let oauth = try await PythonTestServer.start(
            "oauth_server.py",
            arguments: ["--client", Self.clientArgument, "--rotate-refresh-tokens", "--require-pkce", "--access-token-lifetime", String(lifetime)]
        )
        let browser = ConnectionProcessBrowser()
        var processes: [SwitchyardProcess] = []
        do {
            // Both processes first: a 3 s token must not age while the second one starts.
            let first = try SwitchyardProcess(["serve", "--role", "api"], environment: environment.merging(["PORT": String(callbackPort)]) { $1 })
            processes.append(first)
            let second = try SwitchyardProcess(["serve", "--role", "api"], environment: environment)
            processes.append(second)
            let api = ConnectionProcessAPI(port: try await first.waitUntilHealthy(timeout: .seconds(60)), browser: browser)
            let other = ConnectionProcessAPI(port: try await second.waitUntilHealthy(timeout: .seconds(60)), browser: browser)
            let running = processes
            let admin = try await Self.token(["--admin"], environment: environment)
            try await Self.setUpIntegration(api, admin: admin, oauth: oauth)
            let tenant = try await Self.token(["--tenant", "acme"], environment: environment)
            let connecting = ContinuousClock.now
            let connectionID = try await Self.connect(api, oauth: oauth, tenant: tenant)

            // Fresh: five calls in a row, alternating processes, use the token as it is.
            for call in 0..<5 {
                let me = try await (call % 2 == 0 ? api : other).send(.GET, "/connections/\(connectionID)/proxy/me", token: tenant)
                #expect(me.status == 200, "call \(call): \(me.body)\n\(Self.logs(running, oauth))")
            }
            let fresh = try await Self.stats(oauth, browser)
            let freshBudget = RefreshBudget.allowed(expected: 0, lifetime: lifetime, elapsed: .now - connecting)
            #expect(
                Self.refreshes(fresh) <= freshBudget, "a fresh \(lifetime) s token was refreshed: \(fresh.jsonText)\n\(Self.logs(running, oauth))")

            // Expired: a short token runs out by itself; a long one is expired at the provider.
            let connected = try await api.send(.GET, "/connections/\(connectionID)", token: tenant).json
            let before = try #require(connected["credentialsRevision"]?.numberValue, "\(connected.jsonText)")
            let expiresAt = try #require(connected["credentialsExpiresAt"]?.numberValue, "\(connected.jsonText)")
            if lifetime < 10 {
                let deadline = Date().addingTimeInterval(Double(lifetime) + 10)
                while Date().timeIntervalSince1970 <= expiresAt, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
                #expect(Date().timeIntervalSince1970 > expiresAt, "the token did not expire in time")
            } else {
                try await Self.control(oauth, browser, ["expire_all": true])
            }
            try await Self.control(oauth, browser, ["reset_stats": true])
            let burst = ContinuousClock.now
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<100 {
                    let target = index % 2 == 0 ? api : other
                    group.addTask { try await target.send(.GET, "/connections/\(connectionID)/proxy/me", token: tenant).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let counts = Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count)
            #expect(statuses.count == 100 && statuses.allSatisfy { $0 == 200 }, "statuses: \(counts)\n\(Self.logs(running, oauth))")
            let stats = try await Self.stats(oauth, browser)
            let burstBudget = RefreshBudget.allowed(expected: 1, lifetime: lifetime, elapsed: .now - burst)
            #expect(
                (1...burstBudget).contains(Self.refreshes(stats)),
                """
                exactly one refresh must reach the provider (\(burstBudget) if the token ran out mid-burst): \
                \(stats.jsonText)\n\(Self.logs(running, oauth))
                """
            )
            let after = try await api.send(.GET, "/connections/\(connectionID)", token: tenant).json["credentialsRevision"]?.numberValue
            let refreshed = Double(Self.refreshes(stats))
            #expect(after == before + refreshed, "one refresh makes one new credentials revision: \(before) → \(String(describing: after))")

            // The refreshed token is fresh too: five more calls in a row make no refresh.
            for call in 0..<5 {
                let me = try await (call % 2 == 0 ? api : other).send(.GET, "/connections/\(connectionID)/proxy/me", token: tenant)
                #expect(me.status == 200, "call \(call) after the refresh: \(me.body)")
            }
            let settled = try await Self.stats(oauth, browser)
            let settledBudget = RefreshBudget.allowed(expected: Self.refreshes(stats), lifetime: lifetime, elapsed: .now - burst)
            #expect(
                Self.refreshes(settled) <= settledBudget,
                "the refreshed \(lifetime) s token was refreshed again: \(settled.jsonText)\n\(Self.logs(running, oauth))")
        } catch {
            Issue.record("\(error)\n\(Self.logs(processes, oauth))")
        }
        await Self.stop(processes, oauth, browser)
    }

    @Test(
        "An instant-worker process refreshes OAuth credentials before they expire, on the job the orchestrator makes due, with no request made",
        .enabled(if: TestEnvironment.canUsePostgres, "needs PostgreSQL")
    )
    func workerRefreshesCredentialsAheadOfExpiry() async throws {
        let lifetime = 20.0
        let adminURL = try #require(TestEnvironment.postgresURL)
        let database = try PostgresTestDatabase.create(adminURL: adminURL)
        defer { database.drop() }
        let databaseURL = database.url(port: URLComponents(string: adminURL)?.port ?? 5432)
        let callbackPort = try RawConnection.freePort()
        let environment = try await Self.sharedEnvironment(databaseURL: databaseURL, callbackPort: callbackPort)
        let oauth = try await PythonTestServer.start(
            "oauth_server.py",
            arguments: [
                "--client", Self.clientArgument, "--rotate-refresh-tokens", "--require-pkce", "--access-token-lifetime", String(Int(lifetime)),
            ]
        )
        let browser = ConnectionProcessBrowser()
        var processes: [SwitchyardProcess] = []
        do {
            let first = try SwitchyardProcess(["serve", "--role", "api"], environment: environment.merging(["PORT": String(callbackPort)]) { $1 })
            processes.append(first)
            let api = ConnectionProcessAPI(port: try await first.waitUntilHealthy(timeout: .seconds(60)), browser: browser)
            #expect(api.port == callbackPort, "the first API process must listen where BASE_OAUTH_CALLBACK_URI points")

            // The process that refreshes: an instant worker and the orchestrator, polling fast.
            let worker = try SwitchyardProcess(
                ["serve", "--role", "instant-worker,orchestrator"],
                environment: environment.merging(["ORCHESTRATOR_INTERVAL_MS": "200", "JOBS_POLL_INTERVAL_MS": "200"]) { $1 }
            )
            processes.append(worker)
            _ = try await worker.waitUntilHealthy(timeout: .seconds(60))
            let running = processes
            let became = "orchestrator became the leader"
            let leaderDeadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < leaderDeadline, !worker.output.contains(became) { try await Task.sleep(for: .milliseconds(100)) }
            #expect(worker.output.contains(became), "the orchestrator did not lead within 30 s\n\(Self.logs(running, oauth))")

            let admin = try await Self.token(["--admin"], environment: environment)
            try await Self.setUpIntegration(api, admin: admin, oauth: oauth)
            let tenant = try await Self.token(["--tenant", "acme"], environment: environment)
            let connectionID = try await Self.connect(api, oauth: oauth, tenant: tenant)
            let connectedAt = ContinuousClock.now
            let connected = try await api.send(.GET, "/connections/\(connectionID)", token: tenant).json
            let firstRevision = try #require(connected["credentialsRevision"]?.numberValue, "\(connected.jsonText)")
            let firstExpiry = try #require(
                connected["credentialsExpiresAt"]?.numberValue, "credentials with expires_in carry their expiry: \(connected.jsonText)")
            let baseline = try await Self.stats(oauth, browser)
            #expect(Self.refreshes(baseline) == 0, "\(baseline.jsonText)")

            // No request is made: only the scheduled job can refresh. It is due a fifth of the
            // lifetime (4 s) before the expiry.
            var refreshed = connected
            var refreshCount = 0
            while ContinuousClock.now - connectedAt < .seconds(45) {
                refreshCount = Self.refreshes(try await Self.stats(oauth, browser))
                refreshed = try await api.send(.GET, "/connections/\(connectionID)", token: tenant).json
                if refreshCount >= 1, let revision = refreshed["credentialsRevision"]?.numberValue, revision > firstRevision { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            let waited = ContinuousClock.now - connectedAt
            #expect(refreshCount >= 1, "no refresh reached the provider within \(waited)\n\(Self.logs(running, oauth))")
            let revision = refreshed["credentialsRevision"]?.numberValue ?? 0
            #expect(
                revision > firstRevision,
                "credentialsRevision stayed \(firstRevision) for \(waited): \(refreshed.jsonText)\n\(Self.logs(running, oauth))")
            #expect(refreshed["state"] == "connected", "\(refreshed.jsonText)")
            if revision > firstRevision {
                let newExpiry = try #require(refreshed["credentialsExpiresAt"]?.numberValue, "\(refreshed.jsonText)")
                // The new token was obtained `lifetime` before its own expiry: before the old one expired.
                #expect(
                    newExpiry - lifetime < firstExpiry,
                    "the credentials were refreshed \(newExpiry - lifetime - firstExpiry) s after they had expired\n\(Self.logs(running, oauth))"
                )
            }
            let stats = try await Self.stats(oauth, browser)
            #expect(stats["api_requests"] == baseline["api_requests"], "no request went through the connection: \(stats.jsonText)")

            // The job: due before the expiry, on the instant queue, run by the worker process.
            let found = try await Self.refreshJob(databaseURL: databaseURL, connectionID: connectionID, revision: Int(firstRevision))
            let job = try #require(found, "no refresh job was scheduled for revision \(Int(firstRevision))\n\(Self.logs(running, oauth))")
            #expect(job.state == .completed, "\(job)\n\(Self.logs(running, oauth))")
            #expect(job.queue == .instant)
            #expect(Double(job.scheduledAt) < firstExpiry * 1_000_000, "the job must be due before the credentials expire: \(job)")
            #expect(
                job.attemptedBy?.contains("-\(worker.process.processIdentifier)-instant-") == true,
                "the instant worker process must have run it: \(String(describing: job.attemptedBy))"
            )

            // The API process uses the credentials the worker stored.
            let me = try await api.send(.GET, "/connections/\(connectionID)/proxy/me", token: tenant)
            #expect(me.status == 200 && me.json["client_id"] == "switchyard", "\(me.body)\n\(Self.logs(running, oauth))")
        } catch {
            Issue.record("\(error)\n\(Self.logs(processes, oauth))")
        }
        await Self.stop(processes, oauth, browser)
    }

    // MARK: Deployment

    /// What every process of one test shares: its own database, one migrated DATA_DIR (connector
    /// packages live under DATA_DIR/blobs), `SECRET` (it signs the OAuth state and admin tokens)
    /// and `ENCRYPTION_SECRET` (credentials at rest), loopback allowed for outbound requests, and
    /// the callback URL of the first API process.
    /// A database of its own on the test server, and the environment of processes on it.
    static func postgresEnvironment(callbackPort: Int) async throws -> (database: PostgresTestDatabase, environment: [String: String]) {
        let adminURL = try #require(TestEnvironment.postgresURL)
        let database = try PostgresTestDatabase.create(adminURL: adminURL)
        do {
            return (
                database,
                try await sharedEnvironment(
                    databaseURL: database.url(port: URLComponents(string: adminURL)?.port ?? 5432), callbackPort: callbackPort)
            )
        } catch {
            database.drop()
            throw error
        }
    }

    static func sharedEnvironment(databaseURL: String, callbackPort: Int) async throws -> [String: String] {
        var environment = [
            "DATABASE_URL": databaseURL,
            "SECRET": "connection-process-test-secret-0123456789",
            "ENCRYPTION_SECRET": "connection-process-test-encryption-0123456789",
            "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.0/8",
            "BASE_OAUTH_CALLBACK_URI": "http://127.0.0.1:\(callbackPort)",
        ]
        environment["DATA_DIR"] = try await SwitchyardProcess.migratedDataDirectory(environment: environment)
        return environment
    }

    /// A token from `switchyard token` (the line that looks like a JWT; log lines may come with it).
    static func token(_ arguments: [String], environment: [String: String]) async throws -> String {
        let result = try await SwitchyardProcess.run(["token"] + arguments, environment: environment, timeout: .seconds(60))
        #expect(result.status == 0, "\(result.output)")
        let token = result.output.split(separator: "\n").map(String.init).last { $0.hasPrefix("eyJ") && $0.split(separator: ".").count == 3 }
        return try #require(token, "switchyard token \(arguments.joined(separator: " ")) printed no token:\n\(result.output)")
    }

    /// The connector `tasks` with its package (pointing at the authorization server), and the
    /// integration `hub` holding the OAuth client.
    private static func setUpIntegration(_ api: ConnectionProcessAPI, admin: String, oauth: PythonTestServer) async throws {
        let connector = try await api.send(.POST, "/connectors", token: admin, json: ["key": "tasks", "name": "Tasks"])
        #expect(connector.status == 201, "\(connector.body)")
        let uploaded = try await api.browser.send(
            .POST, api.baseURL + "/connectors/tasks/upload", token: admin, bytes: ConnectorArchive.pack(Self.connectorPackage(port: oauth.port)),
            contentType: "application/zip"
        )
        #expect(uploaded.status == 200, "\(uploaded.body)")
        let integration = try await api.send(
            .POST, "/integrations", token: admin,
            json: [
                "key": "hub", "name": "Hub", "connectorId": "tasks", "parameters": ["clientId": "switchyard", "clientSecret": "client-secret-value"],
            ]
        )
        #expect(integration.status == 201, "\(integration.body)")
    }

    /// The connector's package: OAuth 2.0 against the authorization server, its `/api` as the API.
    private static func connectorPackage(port: Int) -> [String: Data] {
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

    // MARK: The connect flow

    /// Walks the browser through `/connect` on `api` → the provider's consent page →
    /// `/oauth-callback` on `api` → the app's redirect URI.
    /// - Returns: The new connection's id.
    private static func connect(_ api: ConnectionProcessAPI, oauth: PythonTestServer, tenant: String) async throws -> String {
        let browser = api.browser
        let redirect = ConnectionProcessBrowser.encode("https://app.example/done")
        let start = try await api.send(.GET, "/connect?integrationKey=hub&redirectUri=\(redirect)&token=\(tenant)", token: nil)
        #expect(start.status == 302, "\(start.body)")
        let authorize = try #require(start.location, "/connect did not redirect to the provider: \(start.status) \(start.body)")
        #expect(authorize.hasPrefix(oauth.baseURL + "/authorize?"), "\(authorize)")
        #expect(authorize.contains("code_challenge_method=S256") && authorize.contains("code_challenge="), "PKCE is on by default: \(authorize)")
        let page = try await browser.send(.GET, authorize)
        #expect(page.status == 200, "\(page.body)")
        let (action, fields) = try consentForm(page.body)
        let consent = try await browser.send(.POST, action.hasPrefix("http") ? action : oauth.baseURL + action, form: fields + [("confirm", "yes")])
        #expect(consent.status == 302, "\(consent.body)")
        let callback = try #require(consent.location, "the consent did not redirect: \(consent.status) \(consent.body)")
        #expect(callback.hasPrefix(api.baseURL + "/oauth-callback?"), "the provider sends the user back to BASE_OAUTH_CALLBACK_URI: \(callback)")
        let finished = try await browser.send(.GET, callback)
        #expect(finished.status == 302, "\(finished.body)")
        let done = try #require(finished.location, "the callback did not redirect: \(finished.status) \(finished.body)")
        #expect(done.hasPrefix("https://app.example/done?connectionId="), "\(done)")
        return try #require(URLComponents(string: done)?.queryItems?.first { $0.name == "connectionId" }?.value, "no connectionId in \(done)")
    }

    /// The authorization server's consent form: its action and hidden fields.
    private static func consentForm(_ html: String) throws -> (action: String, fields: [(String, String)]) {
        let form = try HTMLForm(page: html)
        return (form.action, form.hiddenFields)
    }

    // MARK: The authorization server's controls

    private static func control(_ oauth: PythonTestServer, _ browser: ConnectionProcessBrowser, _ body: JSONValue) async throws {
        let answer = try await browser.send(.POST, oauth.baseURL + "/_control", json: body)
        #expect(answer.status == 200, "\(answer.body)")
    }

    private static func stats(_ oauth: PythonTestServer, _ browser: ConnectionProcessBrowser) async throws -> JSONValue {
        let answer = try await browser.send(.GET, oauth.baseURL + "/_stats")
        #expect(answer.status == 200, "\(answer.body)")
        return answer.json
    }

    /// The refresh token grants the provider received.
    private static func refreshes(_ stats: JSONValue) -> Int {
        Int(stats["token_requests"]?["refresh_token"]?.numberValue ?? -1)
    }

    // MARK: Jobs

    /// The refresh job scheduled for a credentials revision, once it has completed (or as it
    /// stands after 30 s), read from the shared database.
    private static func refreshJob(databaseURL: String, connectionID: String, revision: Int) async throws -> Job? {
        let store = try OpenStore.open(
            .postgres(try PostgresURL.parse(databaseURL)), keys: KeyRing(secret: "unused-by-jobs-0123456789"),
            cursors: PageCursor(secret: "unused-by-jobs-0123456789"),
            logger: Self.logger
        )
        let key = "connection-refresh:\(connectionID):\(revision)"
        let kind = Self.refreshJobKind
        return try await store.whileRunning { store in
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                let job = try await store.jobs.jobs(states: [], limit: 1000, afterID: nil).first { $0.kind == kind && $0.uniqueKey == key }
                if job?.state == .completed || ContinuousClock.now >= deadline { return job }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    // MARK: Diagnostics and clean-up

    /// The end of every process's output and the OAuth server's log, for a failure message.
    private static func logs(_ processes: [SwitchyardProcess], _ oauth: PythonTestServer) -> String {
        let outputs = processes.enumerated().map { index, process in
            "switchyard process \(index + 1) (\((process.process.arguments ?? []).joined(separator: " "))):\n\(process.output.suffix(8000))"
        }
        return (outputs + ["OAuth server log:\n\(oauth.errorTail)"]).joined(separator: "\n\n")
    }

    /// Stops every process, the browser's client and the authorization server.
    private static func stop(_ processes: [SwitchyardProcess], _ oauth: PythonTestServer, _ browser: ConnectionProcessBrowser) async {
        for process in processes { _ = try? await process.stop() }
        try? await browser.client.shutdown()
        await oauth.stop()
    }
}

/// A browser and API client for the processes: follows no redirect by itself, so each one can
/// be checked, and opens up to 128 connections per host, so 100 concurrent requests really are
/// concurrent.
final class ConnectionProcessBrowser: Sendable {
    struct Answer: Sendable {
        var status: Int
        var location: String?
        var body: String
        var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
    }

    let client: HTTPClient

    init() {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 128)
        // 100 connections opened at once to a process on a loaded 2-core machine may wait longer
        // than the client's default 10 s to be accepted; what the tests count is the refreshes.
        configuration.timeout = .init(connect: .seconds(60), read: .seconds(120))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func send(
        _ method: HTTPMethod, _ url: String, token: String? = nil, form: [(String, String)]? = nil, json: JSONValue? = nil, bytes: Data? = nil,
        contentType: String? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")))
        }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json.jsonText))
        }
        if let bytes {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/octet-stream")
            request.body = .bytes(ByteBuffer(bytes: Array(bytes)))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 4 << 20)
        return Answer(status: Int(response.status.code), location: response.headers.first(name: "location"), body: String(buffer: body))
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// One API process's JSON API, through the browser.
struct ConnectionProcessAPI: Sendable {
    let port: Int
    let browser: ConnectionProcessBrowser

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func send(_ method: HTTPMethod, _ path: String, token: String?, json: JSONValue? = nil) async throws -> ConnectionProcessBrowser.Answer {
        try await browser.send(method, baseURL + path, token: token, json: json)
    }
}
