import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing

import SwitchyardConnectors
import SwitchyardCore
import SwitchyardTestSupport

/// App event types with the real binary (all-in-one on the embedded default): the type's
/// `webhookUri` starts with `BASE_WEBHOOKS_URI`, an event posted there with no token reaches
/// the tenant the formula names, and the queued worker runs that tenant's flow instance.
@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the switchyard binary"), .timeLimit(.minutes(3)))
struct AppEventProcessTests {
    @Test("An event posted to a type's webhookUri (under BASE_WEBHOOKS_URI, no token) runs the named tenant's flow instance to completion")
    func eventReachesTheTenantsFlow() async throws {
        let browser = ConnectionProcessBrowser()
        let directory = try TestEnvironment.temporaryDirectory()
        let hooks = "https://hooks.example.com"
        let environment = ["DATA_DIR": directory, "PORT": String(try RawConnection.freePort()), "BASE_WEBHOOKS_URI": hooks]
        var process: SwitchyardProcess?
        do {
            let server = try SwitchyardProcess(["serve"], environment: environment)
            process = server
            let api = ConnectionProcessAPI(port: try await server.waitUntilHealthy(timeout: .seconds(60)), browser: browser)
            let admin = try await ConnectionProcessTests.token(["--admin"], environment: environment)
            let tenant = try await ConnectionProcessTests.token(["--tenant", "acme"], environment: environment)
            #expect(try await api.send(.POST, "/connectors", token: admin, json: ["key": "desk", "name": "Desk"]).status == 201)
            let spec = "key: desk\nname: Desk\nauth:\n  type: none\n  makeApiClient:\n    type: mapping\n    mapping:\n"
                + "      baseUri: http://127.0.0.1:9\n"
            let package = ConnectorArchive.pack(["spec.yml": Data(spec.utf8)])
            let uploaded = try await browser.send(
                .POST, api.baseURL + "/connectors/desk/upload", token: admin, bytes: package, contentType: "application/zip")
            #expect(uploaded.status == 200, "\(uploaded.body)")
            let integration = try await api.send(.POST, "/integrations", token: admin, json: ["key": "desk", "name": "Desk", "connectorId": "desk"])
            #expect(integration.status == 201, "\(integration.body)")
            let type = try await api.send(.POST, "/app-event-types", token: admin, json: [
                "key": "invoice-paid", "name": "Invoice paid", "tenantIdFormula": ["$var": "$.payload.customer"],
            ])
            let uri = try #require(type.json["webhookUri"]?.stringValue, "\(type.body)")
            #expect(uri.hasPrefix(hooks + "/webhooks/app-event-types/"), "\(uri)")
            let flow = try await api.send(.POST, "/flows", token: admin, json: [
                "key": "on-invoice", "name": "On invoice", "integrationKey": "desk", "autoCreateInstances": true,
                "nodes": [
                    "start": ["type": "app-event-trigger", "config": ["appEventTypeKey": "invoice-paid"], "links": ["note"]],
                    "note": ["type": "transform", "config": ["output": ["paid": ["$var": "$.input.amount"]]]],
                ],
            ])
            #expect(flow.status == 201, "\(flow.body)")
            let connected = try await browser.send(
                .GET, api.baseURL + "/connect?integrationKey=desk&redirectUri=https://app.example/done&token=\(tenant)")
            #expect(connected.status == 302, "\(connected.body)")

            // The SaaS posts to the address behind its proxy; here the API is reached directly.
            let event = try await api.send(.POST, String(uri.dropFirst(hooks.count)), token: nil, json: ["customer": "acme", "amount": 42])
            #expect(event.status == 202 && event.json["status"] == "launched", "\(event.body)")
            let runID = try #require(event.json["flowRunIds"].flatMap { $0.arrayValue?.first?.stringValue }, "\(event.body)")
            var run: JSONValue = [:]
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                run = try await api.send(.GET, "/flow-runs/\(runID)", token: tenant).json
                if run["status"] == "completed" || run["status"] == "failed" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(run["status"] == "completed" && run["output"] == ["paid": 42], "\(run)\n\(server.output)")
            let logged = try await api.send(.GET, "/app-events", token: tenant).json
            #expect(logged["items"]?.arrayValue?.first?["flowRunIds"] == [.string(runID)], "\(logged)")

            // The address is a credential: the access log shows the request, not the secret.
            let secret = String(uri.split(separator: "/").last ?? "")
            let wrong = try await api.send(.POST, String(uri.dropFirst(hooks.count).dropLast(secret.count)) + "guess", token: nil, json: [:])
            #expect(wrong.status == 404, "\(wrong.body)")
            let output = server.output
            #expect(secret.count == 64 && output.contains("/webhooks/app-event-types/") && !output.contains(secret), "\(output)")
        } catch {
            Issue.record("\(error)\n\(process?.output ?? "")")
        }
        if let process { _ = try? await process.stop() }
        try? await browser.client.shutdown()
    }
}
