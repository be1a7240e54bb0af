import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import SwitchyardAPI
import SwitchyardCodeRunner
import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// What a flow test works with, on PostgreSQL (or the embedded store when asked): the authlib OAuth 2.0 server (the connector's
/// API, `/api/echo`), httpbin and the SaaS test server when the test asks for them, the sandbox
/// when this machine has one, and tenant `acme` connected through the real OAuth flow to
/// integration `hub`.
struct FlowWorld {
    /// The servers a test may ask for beside the OAuth server.
    enum Server { case httpbin, saas }

    let oauth: PythonTestServer
    let httpbin: PythonTestServer?
    let saas: PythonTestServer?
    let base: APIHarness
    let harness: APIHarness
    let browser: OAuthConnectionTests.Browser
    let hasCode: Bool

    /// httpbin's base URL (a port nothing listens on when the test did not ask for it).
    var httpbinURL: String { httpbin?.baseURL ?? "http://127.0.0.1:9" }
    /// The SaaS test server's base URL (likewise).
    var saasURL: String { saas?.baseURL ?? "http://127.0.0.1:9" }

    static func make(_ servers: Set<Server>, onPostgres: Bool = true) async throws -> FlowWorld {
        let oauth = try await PythonTestServer.start(
            "oauth_server.py", arguments: ["--client", "switchyard:client-secret-value:http://127.0.0.1/oauth-callback:client_secret_basic"])
        let httpbin = servers.contains(.httpbin) ? try await PythonTestServer.start("httpbin_server.py") : nil
        let base = try await APIHarness.make(onPostgres: onPostgres)
        let saas =
            servers.contains(.saas)
            ? try await PythonTestServer.start(
                "saas_server.py", arguments: ["--workspace-key", base.workspace.key, "--secret", base.workspace.secret]) : nil
        let code: (any CodeExecutor)? = ConnectorFunctionTests.sandboxAvailable ? try await ConnectorFunctionTests.runner.value : nil
        let harness = try await APIHarness.make(connections: true, sharing: base, code: code)
        return FlowWorld(
            oauth: oauth, httpbin: httpbin, saas: saas, base: base, harness: harness, browser: OAuthConnectionTests.Browser(), hasCode: code != nil)
    }

    /// Installs the connector (authlib's API) as integration `hub`.
    func install(_ client: APIClient, admin: String) async throws {
        let (spec, files) = ActionRunTests.connector(oauth)
        try await ConnectionFlowTests.install(
            client, admin: admin, spec: spec, files: files, parameters: ["clientId": "switchyard", "clientSecret": "client-secret-value"])
    }

    /// The admin token, `acme`'s token, and `acme`'s connection to `hub` (installed first).
    func connected(_ client: APIClient) async throws -> (admin: String, tenant: String, connectionID: String) {
        let admin = try await harness.adminToken()
        let tenant = try await harness.tenantToken("acme")
        try await install(client, admin: admin)
        return (admin, tenant, try await connect(client, token: tenant))
    }

    /// Connects a tenant to `hub` through the OAuth flow; returns the connection's id.
    func connect(_ client: APIClient, token: String) async throws -> String {
        let (done, _) = try await OAuthConnectionTests.connect(client, browser: browser, token: token)
        return try #require(OAuthConnectionTests.connectionID(done))
    }

    /// The flow runner the queued workers use, over this store.
    func runner(maxOutputBytes: Int = 20 << 20) throws -> FlowRunner {
        try #require(harness.connections).flowRunner(maxOutputBytes: maxOutputBytes, logger: APIHarness.logger)
    }

    /// Plays a queued worker until the run is over: takes due flow jobs, runs them, records
    /// their outcome (completed, or snoozed while the run sleeps).
    @discardableResult
    func drain(_ runID: String, runner: FlowRunner? = nil, timeout: Duration = .seconds(120)) async throws -> JSONValue {
        let runner = try runner ?? self.runner()
        let jobs = harness.store.jobs
        let deadline = ContinuousClock.now + timeout
        let scope = StoreScope.workspace(harness.workspace.key)
        while ContinuousClock.now < deadline {
            _ = try await jobs.promoteDue(now: StoreClock.now(), limit: 100)
            for job in try await jobs.fetch(queue: .queued, worker: "flow-test", limit: 10, lease: .seconds(120), limits: nil) {
                guard job.kind == FlowRunRecord.jobKind else {
                    _ = try await jobs.complete([job.id], worker: "flow-test")
                    continue
                }
                switch try await runner.execute(args: job.args, jobID: job.id) {
                case .finished: _ = try await jobs.complete([job.id], worker: "flow-test")
                case .sleep(let delay): _ = try await jobs.snooze(job.id, worker: "flow-test", until: StoreClock.now() + delay.microseconds)
                }
            }
            let run = try await harness.store.records.get(.flowRuns, id: runID, scope: scope)
            if let status = FlowRunRecord.status(run), status.isFinal { return run.document }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestServerError("flow run \(runID) did not finish in \(timeout)")
    }

    /// A run with its node runs, as the API shows it.
    static func run(_ client: APIClient, _ id: String, token: String) async throws -> JSONValue {
        let answer = try await client.send(.get, "/flow-runs/\(id)", token: token)
        #expect(answer.status == 200, "\(answer.json)")
        return answer.json
    }

    /// The node run of a node path in a run's body.
    static func node(_ run: JSONValue, _ key: String) -> JSONValue? {
        guard case .array(let items)? = run["nodeRuns"] else { return nil }
        return items.first { $0["nodeKey"] == .string(key) }
    }

    func stop() async {
        await harness.tearDown(browser: browser, servers: [oauth, httpbin, saas], sharing: base)
    }

    /// Runs a test body with the world, reporting the servers' logs when it throws.
    static func with(
        _ servers: Set<Server> = [], onPostgres: Bool = true, _ body: @Sendable (FlowWorld, APIClient) async throws -> Void
    ) async throws {
        let world = try await make(servers, onPostgres: onPostgres)
        do {
            try await world.harness.withClient { client in try await body(world, client) }
        } catch {
            Issue.record("\(error)\nOAuth server log:\n\(world.oauth.errorTail)\nSaaS server log:\n\(world.saas?.errorTail ?? "")")
        }
        await world.stop()
    }
}

extension Duration {
    /// The duration in whole microseconds.
    var microseconds: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }
}
