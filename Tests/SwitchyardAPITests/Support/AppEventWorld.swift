import Foundation
import HTTPTypes
import SwitchyardAPI
import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// What an app event test works with: integration `desk` (a connector that needs no
/// credentials, so tenants connect at once through `/connect`), app event type `invoice-paid`
/// (a schema requiring `customerId` and a numeric `amount`; the tenant is `payload.customerId`),
/// and flow `on-invoice`, whose instances are created with each connection and listen to the
/// type, answering `{amount, customer}`.
struct AppEventWorld {
    let harness: APIHarness
    let admin: String
    let typeID: String
    /// The type's webhook address (a path here: the harness has no `BASE_WEBHOOKS_URI`).
    let webhookURI: String

    /// One connected tenant.
    struct Tenant {
        var token: String
        var tenantID: String
        var connectionID: String
        var instanceID: String
    }

    /// The webhook address's path.
    var webhookPath: String {
        get throws { try #require(URLComponents(string: webhookURI)?.path, "\(webhookURI)") }
    }

    static let connector: [String: Data] = [
        "spec.yml": Data(
            """
            key: desk
            name: Desk
            auth:
              type: none
              makeApiClient:
                type: mapping
                mapping:
                  baseUri: http://127.0.0.1:9
            """.utf8)
    ]

    /// Runs a test body with a fresh world.
    static func with(postgres: Bool, _ body: @Sendable (AppEventWorld, APIClient) async throws -> Void) async throws {
        let harness = try await APIHarness.make(connections: true, onPostgres: postgres)
        do {
            try await harness.withClient { client in
                let world = try await make(harness, client)
                try await body(world, client)
            }
        } catch {
            Issue.record("\(error)")
        }
        await harness.tearDown()
    }

    private static func make(_ harness: APIHarness, _ client: APIClient) async throws -> AppEventWorld {
        let admin = try await harness.adminToken()
        try await client.install("desk", name: "Desk", package: connector, admin: admin)
        let type = try await client.send(.post, "/app-event-types", token: admin, body: [
            "key": "invoice-paid", "name": "Invoice paid", "tenantIdFormula": ["$var": "$.payload.customerId"],
            "schema": ["type": "object", "required": ["amount"], "properties": ["customerId": ["type": "string"], "amount": ["type": "number"]]],
        ])
        #expect(type.status == 201, "\(type.json)")
        let flow = try await client.send(.post, "/flows", token: admin, body: [
            "key": "on-invoice", "name": "On invoice", "integrationKey": "desk", "autoCreateInstances": true,
            "nodes": [
                "start": ["type": "app-event-trigger", "config": ["appEventTypeKey": "invoice-paid"], "links": ["note"]],
                "note": [
                    "type": "transform", "config": ["output": ["amount": ["$var": "$.input.amount"], "customer": ["$var": "$.input.customerId"]]],
                ],
            ],
        ])
        #expect(flow.status == 201, "\(flow.json)")
        return AppEventWorld(
            harness: harness, admin: admin, typeID: try #require(type.json["id"]?.stringValue),
            webhookURI: try #require(type.json["webhookUri"]?.stringValue))
    }

    /// Connects a tenant to `desk`; its flow instance comes with the connection.
    func connect(_ client: APIClient, _ name: String) async throws -> Tenant {
        let token = try await harness.tenantToken(name)
        let (answer, _) = try await client.sendBytes(
            .get, "/connect?integrationKey=desk&redirectUri=https://app.example/done&token=\(token)", token: nil, body: nil, contentType: nil)
        let location = try #require(answer.headers[.location], "\(answer.status) \(answer.json)")
        let connectionID = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "connectionId" }?.value, "\(location)")
        let tenantID = try #require(try await client.send(.get, "/self", token: token).json["customer"]?["id"]?.stringValue)
        let instances = try await client.send(.get, "/flow-instances?connectionId=\(connectionID)", token: token)
        #expect(instances.json["items"]?.arrayCount == 1, "\(instances.json)")
        let instanceID = try #require(instances.json["items"]?[0]?["id"]?.stringValue)
        return Tenant(token: token, tenantID: tenantID, connectionID: connectionID, instanceID: instanceID)
    }

    /// How many flow runs the workspace has.
    func runCount(_ client: APIClient) async throws -> Int? {
        try await client.send(.get, "/flow-runs?limit=1000", token: admin).json["items"]?.arrayCount
    }

    /// How many app events the workspace has.
    func eventCount(_ client: APIClient) async throws -> Int? {
        try await client.send(.get, "/app-events?limit=1000", token: admin).json["items"]?.arrayCount
    }

    /// Plays a queued worker until the run is over: takes due flow jobs and runs them.
    func drain(_ runID: String, timeout: Duration = .seconds(60)) async throws -> JSONValue {
        let runner = try #require(harness.connections).flowRunner(maxOutputBytes: 20 << 20, logger: APIHarness.logger)
        let jobs = harness.store.jobs
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for job in try await jobs.fetch(queue: .queued, worker: "app-event-test", limit: 10, lease: .seconds(60), limits: nil) {
                if job.kind == FlowRunRecord.jobKind { _ = try await runner.execute(args: job.args, jobID: job.id) }
                _ = try await jobs.complete([job.id], worker: "app-event-test")
            }
            let run = try await harness.store.records.get(.flowRuns, id: runID, scope: .workspace(harness.workspace.key))
            if let status = FlowRunRecord.status(run), status.isFinal { return run.document }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestServerError("flow run \(runID) did not finish in \(timeout)")
    }
}
