import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// The connection pages against real connections (httpbin on loopback): the list and its
/// filters, a connection's state in words, its external API log with request and response
/// previews that never show a credential, and the test, refresh and disconnect buttons.
@Suite(.enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct ConnectionPagesTests {
    @Test("A connection's page says its state in words, links its customer and integration, and its log entries show requests without credentials")
    func connectionPageStateAndLog() async throws {
        try await ConsoleConnectionWorld.with { world, browser, csrf in
            let (acme, connection) = try await world.connect("acme", name: "Acme <Corp>")
            _ = try await world.connect("globex", name: "Globex")
            // The connector's test, sent as the connection (with basic auth), is its first logged request.
            #expect(try await browser.post("/console/connections/\(connection)/test", [("csrf", csrf)]).status == .seeOther)
            await world.flushLog()

            let list = try await browser.get("/console/connections")
            #expect(list.status == .ok && list.links.contains("/console/connections/\(connection)"), "\(list.body)")
            #expect(list.body.components(separatedBy: "<tr><td><a href=").count - 1 == 2, "both connections are listed")
            let filtered = try await browser.get("/console/connections?customerId=acme&integrationId=\(world.integrationID)")
            #expect(filtered.body.components(separatedBy: "<tr><td><a href=").count - 1 == 1, "the filters narrow the list")
            #expect(filtered.links.contains("/console/connections/\(connection)") && filtered.body.contains("Bin &lt;API&gt;"))

            let page = try await browser.get("/console/connections/\(connection)")
            #expect(page.status == .ok)
            #expect(page.body.contains(">Connected</span>") && page.body.contains("Its credentials work"), "state in words")
            #expect(page.links.contains("/console/customers/\(acme)") && page.body.contains("Acme &lt;Corp&gt;"), "links its customer")
            #expect(page.links.contains("/console/integrations/\(world.integrationID)"), "links its integration")
            #expect(page.body.contains("action=\"/console/connections/\(connection)/test\""), "an admin sees the buttons")

            let entry = try #require(page.links.first { $0.hasPrefix("/console/external-api-logs/") }, "a log entry is listed: \(page.body)")
            #expect(page.body.contains("GET \(world.httpbin.baseURL)/basic-auth/ada/[redacted]"), "the URL's secret is redacted: \(page.body)")
            let detail = try await browser.get(entry)
            #expect(detail.status == .ok)
            #expect(detail.body.contains("<code>GET</code>") && detail.body.contains(">200<"), "method and status: \(detail.body)")
            #expect(detail.body.contains("<code>Authorization</code>") || detail.body.contains("<code>authorization</code>"), "\(detail.body)")
            #expect(detail.body.contains("[redacted]") && detail.body.contains(" ms<"), "\(detail.body)")
            #expect(detail.body.contains("&quot;authenticated&quot;"), "the response body's preview: \(detail.body)")
            #expect(detail.links.contains("/console/connections/\(connection)"))
            for page in [page, detail] {
                #expect(!page.body.contains(ConsoleConnectionWorld.password), "the password never shows")
                #expect(!page.body.contains(ConsoleConnectionWorld.basicCredentials), "the Authorization header's value never shows")
            }
            #expect(try await browser.get("/console/external-api-logs/nothing").status == .notFound)
        }
    }

    @Test("Test, refresh and disconnect: each button works and its page says how it went; a viewer sees no button")
    func testRefreshAndDisconnectButtons() async throws {
        try await ConsoleConnectionWorld.with { world, browser, csrf in
            let (_, connection) = try await world.connect("acme", name: "Acme")
            let (_, other) = try await world.connect("globex", name: "Globex")
            let path = "/console/connections/\(connection)"

            let tested = try await browser.post(path + "/test", [("csrf", csrf)])
            #expect(tested.status == .seeOther && tested.location == path)
            let afterTest = try await browser.get(path)
            #expect(afterTest.body.contains("Test passed: the connection works."), "\(afterTest.body)")
            await world.flushLog()
            let log = try await browser.get(path)
            #expect(log.links.filter { $0.hasPrefix("/console/external-api-logs/") }.count == 1, "the test's request is in the log")

            // These credentials cannot be refreshed: the provider side refuses, and the page says so.
            let refreshed = try await browser.post(path + "/refresh-credentials", [("csrf", csrf)])
            #expect(refreshed.status.code >= 400, "\(refreshed.status)")
            #expect(refreshed.body.contains("role=\"alert\">Refreshing the credentials failed:"), "\(refreshed.body)")
            let stateAfter = try await world.harness.call(.get, "/connections/\(connection)")
            let state = try #require(stateAfter["state"]?.stringValue)
            let shown = try await browser.get(path)
            let words = ["connected": ">Connected</span>", "disconnected": ">Disconnected</span>", "error": ">Needs attention</span>"]
            #expect(shown.body.contains(try #require(words[state])), "the page shows the state the API has (\(state)): \(shown.body)")

            // Disconnect: a confirmation page first (works without script), then the post.
            let otherPath = "/console/connections/\(other)"
            let confirm = try await browser.get(otherPath + "/disconnect")
            #expect(confirm.status == .ok && confirm.body.contains("action=\"\(otherPath)/disconnect\"") && confirm.links.contains(otherPath))
            #expect(try await world.harness.call(.get, "/connections/\(other)")["state"] == "connected", "the confirmation page changes nothing")
            let disconnected = try await browser.post(otherPath + "/disconnect", [("csrf", csrf)])
            #expect(disconnected.status == .seeOther && disconnected.location == otherPath)
            let after = try await browser.get(otherPath)
            #expect(after.body.contains("Disconnected: the credentials were removed"), "\(after.body)")
            #expect(after.body.contains(">Disconnected</span>") && after.body.contains("The customer has to connect again."), "\(after.body)")
            #expect(try await world.harness.call(.get, "/connections/\(other)")["state"] == "disconnected")

            // A viewer reads the page without any button.
            var viewer = Browser(client: browser.client)
            try await world.harness.signIn(&viewer, role: "viewer", email: "vic@example.com")
            let read = try await viewer.get(path)
            #expect(read.status == .ok && !read.body.contains("/test\"") && !read.body.contains("Disconnect…"), "\(read.body)")
        }
    }
}

/// The log entry page masks credential headers itself, even in an entry stored without the
/// engine's redaction (an older engine, or a log written by other means).
@Suite struct ExternalAPILogMaskingTests {
    @Test("An entry stored with raw Authorization, X-Api-Key and token headers shows none of their values")
    func credentialHeadersAreMaskedOnThePage() async throws {
        let harness = try await ConsoleHarness()
        let customer = try await harness.call(.post, "/customers", ["internalId": "acme"])
        let tenant = try #require(customer["id"]?.stringValue)
        let scope = StoreScope.tenant(tenant, in: harness.workspaceKey)
        let connection = try await harness.store.records.insert(
            NewRecord(kind: .connections, tenantID: tenant, parentID: "some-integration", document: ["name": "Hub"]), scope: scope)
        let headers: JSONValue = [
            ["name": "Authorization", "value": "Bearer sk-live-0123456789"], ["name": "X-Api-Key", "value": "key-0123456789"],
            ["name": "X-Refresh-Token", "value": "rt-0123456789"], ["name": "Accept", "value": "application/json"],
        ]
        let entry = try await harness.store.records.insert(
            NewRecord(
                kind: .externalAPILogs, tenantID: tenant, parentID: connection.id,
                document: [
                    "method": "GET", "url": "https://api.example/me", "host": "api.example", "status": 200, "durationMs": 12,
                    "connectionId": .string(connection.id), "requestHeaders": headers,
                    "responseHeaders": [["name": "Set-Cookie", "value": "session=s-0123456789"]],
                ]),
            scope: scope)
        try await harness.run { browser in
            try await harness.signIn(&browser)
            let page = try await browser.get("/console/external-api-logs/\(entry.id)")
            #expect(page.status == .ok && page.body.contains("application/json") && page.body.contains("https://api.example/me"))
            for secret in ["sk-live-0123456789", "key-0123456789", "rt-0123456789", "s-0123456789"] {
                #expect(!page.body.contains(secret), "\(secret) is masked")
            }
            #expect(page.body.components(separatedBy: "[redacted]").count - 1 >= 4, "\(page.body)")
            let listed = try await browser.get("/console/connections/\(connection.id)")
            #expect(listed.links.contains("/console/external-api-logs/\(entry.id)"), "the connection's page lists the entry")
        }
    }
}
