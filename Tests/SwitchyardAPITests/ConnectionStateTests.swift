import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardAPI
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// A connection's `state` and its `disconnected` flag always agree, whichever path changed
/// them: a refresh the provider refused, and connecting again afterwards.
@Suite(.enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct ConnectionStateTests {
    @Test("A refresh refused with invalid_grant reads disconnected in state and flag; reconnecting reads connected in both")
    func refusedRefreshDisconnectsInBothFields() async throws {
        let server = try await PythonTestServer.start(
            "oauth_server.py",
            arguments: ["--client", "switchyard:client-secret-value:http://127.0.0.1/oauth-callback:client_secret_basic", "--require-pkce"]
        )
        let browser = OAuthConnectionTests.Browser()
        let harness = try await APIHarness.make(connections: true)
        do {
            try await harness.withClient { client in
                let admin = try await harness.adminToken()
                let tenant = try await harness.tenantToken("acme")
                _ = try await client.send(.post, "/connectors", token: admin, body: ["key": "tasks", "name": "Tasks"])
                let (uploaded, _) = try await client.sendBytes(
                    .post, "/connectors/tasks/upload", token: admin,
                    body: Array(ConnectorArchive.pack(OAuthConnectionTests.package(port: server.port))),
                    contentType: "application/zip"
                )
                #expect(uploaded.status == 200, "\(uploaded.json)")
                let integration = try await client.send(
                    .post, "/integrations", token: admin,
                    body: [
                        "key": "hub", "name": "Hub", "connectorId": "tasks",
                        "parameters": ["clientId": "switchyard", "clientSecret": "client-secret-value"],
                    ]
                )
                #expect(integration.status == 201, "\(integration.json)")
                let (done, _) = try await OAuthConnectionTests.connect(client, browser: browser, token: tenant)
                let connectionID = try #require(OAuthConnectionTests.connectionID(done))
                let connected = try await client.send(.get, "/connections/\(connectionID)", token: tenant)
                #expect(connected.json["state"] == "connected" && connected.json["disconnected"] == false, "\(connected.json)")

                // The provider refuses the refresh: both fields say disconnected.
                #expect(try await browser.send(.POST, server.baseURL + "/_control", json: ["refresh": "invalid_grant"]).status == 200)
                let refused = try await client.send(.post, "/connections/\(connectionID)/refresh-credentials", token: tenant)
                #expect(refused.status == 403, "\(refused.json)")
                let disconnected = try await client.send(.get, "/connections/\(connectionID)", token: tenant)
                #expect(disconnected.json["state"] == "disconnected", "\(disconnected.json)")
                #expect(disconnected.json["disconnected"] == true, "the flag agrees with the state: \(disconnected.json)")
                let stored = try await harness.store.records.get(.connections, id: connectionID, scope: .workspace(harness.workspace.key))
                #expect(stored.document["state"] == "disconnected" && stored.document["disconnected"] == true, "as stored: \(stored.document)")

                // Connecting again: both fields say connected.
                #expect(try await browser.send(.POST, server.baseURL + "/_control", json: ["refresh": "ok"]).status == 200)
                let (again, _) = try await OAuthConnectionTests.connect(
                    client, browser: browser, token: tenant, extra: "&connectionId=\(connectionID)")
                #expect(OAuthConnectionTests.connectionID(again) == connectionID, "\(again)")
                let restored = try await client.send(.get, "/connections/\(connectionID)", token: tenant)
                #expect(restored.json["state"] == "connected" && restored.json["disconnected"] == false, "\(restored.json)")
                #expect(restored.json["disconnectedReason"] == nil, "\(restored.json)")
            }
        } catch {
            Issue.record("\(error)\nOAuth server log:\n\(server.errorTail)")
        }
        await harness.tearDown(browser: browser, servers: [server])
    }
}
