import Foundation
import HTTPTypes
import Logging
import SwitchyardAPI
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// Real connections and flow runs for the console's pages: httpbin on loopback as the external
/// API, connector `bin` whose credentials are a user name and password (HTTP basic auth, tested
/// against httpbin's `/basic-auth/ada/correct-horse`), integration `bin`, and customers
/// connected through a connection request as their users would. Flow runs are executed by the
/// flow runner the queued workers use, the test playing the worker.
struct ConsoleConnectionWorld {
    /// The password every connection uses; it must never show on a page.
    static let password = "correct-horse"
    /// `Authorization: Basic …` of `ada:correct-horse`.
    static let basicCredentials = Data("ada:\(password)".utf8).base64EncodedString()

    let harness: ConsoleHarness
    let httpbin: PythonTestServer
    /// Integration `bin`'s id.
    let integrationID: String

    /// Starts httpbin and installs the connector and the integration.
    static func make() async throws -> ConsoleConnectionWorld {
        let httpbin = try await PythonTestServer.start("httpbin_server.py")
        let harness = try await ConsoleHarness(connections: true)
        try await harness.call(.post, "/connectors", ["key": "bin", "name": "Bin"])
        let zip = Array(ConnectorArchive.pack(TestConnectors.basicAuthBin(baseURI: httpbin.baseURL, password: password)))
        let caller = Caller(workspaceID: harness.workspaceKey, tenantID: nil, tenantKey: nil, isAdmin: true)
        _ = try await harness.api.call(
            InProcessCall(method: .post, path: "/connectors/bin/upload", rawBody: (zip, "application/zip")), caller: caller)
        let integration = try await harness.call(.post, "/integrations", ["key": "bin", "name": "Bin <API>", "connectorId": "bin"])
        return ConsoleConnectionWorld(harness: harness, httpbin: httpbin, integrationID: try #require(integration["id"]?.stringValue))
    }

    /// Creates a customer and connects it to `bin` as its user would (a connection request,
    /// then the form's user name and password); returns the customer's and connection's ids.
    func connect(_ internalID: String, name: String) async throws -> (customer: String, connection: String) {
        let customer = try await harness.call(.post, "/customers", ["internalId": .string(internalID), "name": .string(name)])
        let customerID = try #require(customer["id"]?.stringValue)
        let caller = Caller(workspaceID: harness.workspaceKey, tenantID: customerID, tenantKey: internalID, isAdmin: false)
        let (_, created) = try await harness.api.call(
            InProcessCall(method: .post, path: "/connection-requests", body: ["integrationKey": "bin"]), caller: caller)
        guard case .json(let request) = created else { throw TestServerError("no connection request: \(created)") }
        let link = try #require(request["url"]?.stringValue, "\(request)")
        let token = try #require(URLComponents(string: link)?.queryItems?.first { $0.name == "requestToken" }?.value)
        let services = try #require(harness.services)
        let finish = try await services.connect.start(requestToken: token, input: ["username": "ada", "password": .string(Self.password)])
        guard case .connected(let connectionID, _) = finish else { throw TestServerError("connecting \(internalID) ended with \(finish)") }
        return (customerID, connectionID)
    }

    /// Creates integration-level flow `key` with these nodes.
    @discardableResult
    func flow(_ key: String, nodes: JSONValue) async throws -> String {
        let flow = try await harness.call(.post, "/flows", ["key": .string(key), "name": .string(key), "integrationKey": "bin", "nodes": nodes])
        return try #require(flow["id"]?.stringValue, "\(flow)")
    }

    /// Queues a run of a flow for a connection.
    func start(_ key: String, connectionID: String, input: JSONValue = [:]) async throws -> String {
        let run = try await harness.call(.post, "/flows/\(key)/run", ["connectionId": .string(connectionID), "input": input])
        return try #require(run["id"]?.stringValue, "\(run)")
    }

    /// Plays a queued worker until the run has ended; returns its status.
    @discardableResult
    func drain(_ runID: String, timeout: Duration = .seconds(60)) async throws -> String {
        let services = try #require(harness.services)
        let runner = services.flowRunner(maxOutputBytes: 1 << 20, logger: .init(label: "console-tests"))
        let jobs = harness.store.jobs
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            _ = try await jobs.promoteDue(now: StoreClock.now(), limit: 100)
            for job in try await jobs.fetch(queue: .queued, worker: "console-test", limit: 10, lease: .seconds(60), limits: nil) {
                guard job.kind == FlowRunRecord.jobKind else {
                    _ = try await jobs.complete([job.id], worker: "console-test")
                    continue
                }
                switch try await runner.execute(args: job.args, jobID: job.id) {
                case .finished: _ = try await jobs.complete([job.id], worker: "console-test")
                case .sleep(let delay):
                    let micros = delay.components.seconds * 1_000_000 + delay.components.attoseconds / 1_000_000_000_000
                    _ = try await jobs.snooze(job.id, worker: "console-test", until: StoreClock.now() + micros)
                }
            }
            let run = try await harness.store.records.get(.flowRuns, id: runID, scope: .workspace(harness.workspaceKey))
            if let status = FlowRunRecord.status(run), status.isFinal { return status.rawValue }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestServerError("flow run \(runID) did not end in \(timeout)")
    }

    /// Writes the buffered external API log entries.
    func flushLog() async {
        await harness.logSink?.flush()
    }

    /// Stops httpbin and the outbound client.
    func stop() async {
        await harness.shutdown()
        await httpbin.stop()
    }

    /// Runs a test body with a world and a signed-in admin's browser (its CSRF token too),
    /// reporting httpbin's log when it throws.
    static func with(_ body: @Sendable (ConsoleConnectionWorld, inout Browser, String) async throws -> Void) async throws {
        let world = try await make()
        do {
            try await world.harness.run { browser in
                let csrf = try await world.harness.signIn(&browser)
                try await body(world, &browser, csrf)
            }
        } catch {
            Issue.record("\(error)\nhttpbin log:\n\(world.httpbin.errorTail)")
        }
        await world.stop()
    }
}

extension Page {
    /// The `href` of every link on the page (`&amp;` read back as `&`).
    var links: [String] {
        body.components(separatedBy: "href=\"").dropFirst().map { String($0.prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&") }
    }
}
