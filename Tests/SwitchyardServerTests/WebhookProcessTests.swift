import AsyncHTTPClient
import Crypto
import Foundation
import NIOHTTP1
import Testing

import SwitchyardConnectors
import SwitchyardCore
import SwitchyardTestSupport

/// Webhook notifications to the SaaS, with real processes on PostgreSQL: connection events
/// reach the SaaS's receiver signed with HMAC-SHA256 of the body, delivered by the instant
/// worker; failed attempts are retried with backoff and logged; a notification that never gets
/// through lands in the dead-letter list and can be replayed.
@Suite(
    .enabled(if: TestEnvironment.canRunBinary, "needs the switchyard binary"),
    .enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"),
    .timeLimit(.minutes(5))
)
struct WebhookProcessTests {
    static let secret = "whsec-test-0123456789abcdef"

    static func item(_ value: JSONValue, _ index: Int) -> JSONValue? {
        guard case .array(let items) = value, items.indices.contains(index) else { return nil }
        return items[index]
    }

    static func count(_ value: JSONValue?) -> Int {
        guard case .array(let items)? = value else { return -1 }
        return items.count
    }

    @Test(
        "Connection events are delivered signed; failures are retried with backoff and every attempt logged; the dead-letter list replays",
        .enabled(if: TestEnvironment.canUsePostgres, "needs PostgreSQL")
    )
    func connectionEventsAreDeliveredRetriedAndReplayed() async throws {
        let port = try RawConnection.freePort()
        let (database, shared) = try await ConnectionProcessTests.postgresEnvironment(callbackPort: port)
        var environment = shared
        defer { database.drop() }
        environment.merge(["PORT": String(port), "WEBHOOK_RETRY_BASE_MS": "200", "WEBHOOK_MAX_ATTEMPTS": "3", "ORCHESTRATOR_INTERVAL_MS": "100", "JOBS_POLL_INTERVAL_MS": "100"]) { $1 }
        let receiver = try await PythonTestServer.start("saas_server.py", arguments: ["--workspace-key", "unused", "--secret", "unused-secret-0123456789"])
        let browser = ConnectionProcessBrowser()
        var process: SwitchyardProcess?
        do {
            let server = try SwitchyardProcess(["serve", "--role", "api,instant-worker,orchestrator"], environment: environment)
            process = server
            let api = ConnectionProcessAPI(port: try await server.waitUntilHealthy(timeout: .seconds(60)), browser: browser)
            let admin = try await ConnectionProcessTests.token(["--admin"], environment: environment)
            let tenant = try await ConnectionProcessTests.token(["--tenant", "acme"], environment: environment)
            func control(_ body: JSONValue) async throws {
                #expect(try await browser.send(.POST, receiver.baseURL + "/_control", json: body).status == 200)
            }
            func received() async throws -> [JSONValue] {
                guard case .array(let items) = try await browser.send(.GET, receiver.baseURL + "/_received").json else { return [] }
                return items
            }
            func waitFor(_ what: String, _ condition: () async throws -> Bool) async throws {
                let deadline = ContinuousClock.now + .seconds(45)
                while ContinuousClock.now < deadline, try await !condition() { try await Task.sleep(for: .milliseconds(100)) }
                #expect(try await condition(), "timed out waiting for \(what)\n\(server.output)")
            }
            func delivery(_ event: String) async throws -> JSONValue? {
                try await api.send(.GET, "/webhook-deliveries?event=\(event)", token: admin).json["items"].flatMap { Self.item($0, 0) }
            }

            // Settings: the secret is write-only; bad settings name the fields.
            let bad = try await api.send(.PUT, "/webhook-settings", token: admin, json: ["url": "ftp://x", "secret": "short", "events": ["nope"]])
            #expect(bad.status == 400 && bad.json["data"]?["url"] != nil && bad.json["data"]?["secret"] != nil && bad.json["data"]?["events"] != nil, "\(bad.body)")
            let set = try await api.send(.PUT, "/webhook-settings", token: admin, json: ["url": .string(receiver.baseURL + "/webhooks"), "secret": .string(Self.secret)])
            #expect(set.status == 200 && set.json["secret"] == "[redacted]", "\(set.body)")
            #expect(try await api.send(.GET, "/webhook-settings", token: tenant).status == 403)

            // A connection: its creation is delivered, signed.
            #expect(try await api.send(.POST, "/connectors", token: admin, json: ["key": "plain", "name": "Plain"]).status == 201)
            let package = ConnectorArchive.pack(["spec.yml": Data("key: plain\nname: Plain\nauth:\n  type: client-credentials\n  makeApiClient:\n    type: mapping\n    mapping:\n      baseUri: http://127.0.0.1:9\n".utf8)])
            #expect(try await browser.send(.POST, api.baseURL + "/connectors/plain/upload", token: admin, bytes: package, contentType: "application/zip").status == 200)
            #expect(try await api.send(.POST, "/integrations", token: admin, json: ["key": "hub", "name": "Hub", "connectorId": "plain"]).status == 201)
            #expect(try await browser.send(.GET, api.baseURL + "/connect?integrationKey=hub&token=\(tenant)").status == 200)
            try await waitFor("connection.created") { try await received().count >= 1 }
            let first = try #require(try await received().first)
            #expect(first["headers"]?["x-switchyard-event"] == "connection.created", "\(first)")
            let body = try #require(first["body"]?.stringValue)
            let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(Self.secret.utf8)))
            #expect(first["headers"]?["x-switchyard-signature"] == .string("sha256=" + Data(mac).map { String(format: "%02x", $0) }.joined()), "\(first)")
            let payload = try JSONValue.parse(body)
            #expect(payload["event"] == "connection.created" && payload["data"]?["connection"]?["state"] == "connected" && payload["tenantId"] != nil, "\(payload)")
            let connectionID = try #require(payload["data"]?["connection"]?["id"]?.stringValue)
            #expect(!body.contains("credentials"), "a notification never carries credentials")

            // Two failures, then success: three attempts, all logged.
            try await control(["webhooks": "500", "times": 2])
            #expect(try await api.send(.DELETE, "/connections/\(connectionID)", token: tenant).status == 200)
            try await waitFor("connection.deleted to be delivered") { try await delivery("connection.deleted")?["status"] == "delivered" }
            let deleted = try #require(try await delivery("connection.deleted"))
            #expect(deleted["attemptCount"] == 3 && deleted["attempts"].flatMap { Self.item($0, 0) }?["status"] == 500 && deleted["attempts"].flatMap { Self.item($0, 2) }?["status"] == 200, "\(deleted)")

            // Always failing: after WEBHOOK_MAX_ATTEMPTS the delivery is failed (dead-lettered), then replayed.
            try await control(["webhooks": "500"])
            #expect(try await browser.send(.GET, api.baseURL + "/connect?integrationKey=hub&token=\(tenant)").status == 200)
            try await waitFor("a dead letter") { Self.count(try await api.send(.GET, "/webhook-deliveries?status=failed", token: admin).json["items"]) == 1 }
            let dead = try #require(try await api.send(.GET, "/webhook-deliveries?status=failed", token: admin).json["items"].flatMap { Self.item($0, 0) })
            #expect(dead["event"] == "connection.created" && dead["attemptCount"] == 3, "\(dead)")
            try await control(["webhooks": "ok"])
            let deadID = try #require(dead["id"]?.stringValue)
            let replayed = try await api.send(.POST, "/webhook-deliveries/\(deadID)/replay", token: admin)
            #expect(replayed.status == 200 && replayed.json["status"] == "pending", "\(replayed.body)")
            try await waitFor("the replay") { try await api.send(.GET, "/webhook-deliveries/\(deadID)", token: admin).json["status"] == "delivered" }
            #expect(try await api.send(.POST, "/webhook-deliveries/\(deadID)/replay", token: admin).status == 409, "only failed deliveries replay")
            #expect(try await received().count == 1 + 3 + 3 + 1, "every attempt reached the receiver")
        } catch {
            Issue.record("\(error)\n\(process?.output ?? "")\nreceiver:\n\(receiver.errorTail)")
        }
        if let process { _ = try? await process.stop() }
        try? await browser.client.shutdown()
        await receiver.stop()
    }
}
