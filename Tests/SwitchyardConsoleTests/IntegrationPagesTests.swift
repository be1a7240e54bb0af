import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardStore
import Testing

/// The integration pages through the in-process API: create from a connector, the parameters
/// form built from the connector's `parametersSchema` (secrets masked and write-only, errors by
/// their fields with the input kept), the connections listed, and archiving with a confirmation.
@Suite struct IntegrationPagesTests {
    /// A connector with the fixtures' package uploaded through the console.
    static func connector(_ harness: ConsoleHarness, _ browser: inout Browser, csrf: String) async throws -> String {
        let created = try await harness.call(.post, "/connectors", ["key": .string(CatalogFixtures.key), "name": "Catalog"])
        let id = try #require(created["id"]?.stringValue)
        let uploaded = try await browser.upload("/console/connectors/\(id)/upload?csrf=\(csrf)", file: CatalogFixtures.zip(CatalogFixtures.package()))
        #expect(uploaded.status == .seeOther, "\(uploaded.body)")
        return id
    }

    @Test func createFromAConnectorFillParametersAndArchive() async throws {
        let harness = try await ConsoleHarness()
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let connectorID = try await Self.connector(harness, &browser, csrf: csrf)
            let connectorPage = try await browser.get("/console/connectors/\(connectorID)")
            #expect(connectorPage.body.contains("href=\"/console/integrations?connector=\(connectorID)\""))
            let form = try await browser.get("/console/integrations?connector=\(connectorID)")
            #expect(form.body.contains("<option value=\"\(connectorID)\" selected>Catalog &lt;Test&gt; (\(CatalogFixtures.key))</option>"))

            let refused = try await browser.post(
                "/console/integrations", [("csrf", csrf), ("connectorId", connectorID), ("key", "a/b"), ("name", "Catalog")])
            #expect(refused.status == .badRequest && PageText.text(refused.body, id: "integration-key-error")?.isEmpty == false, "\(refused.body)")
            #expect(PageText.inputValue(refused.body, id: "integration-name") == "Catalog" && refused.body.contains("\(connectorID)\" selected"))
            let created = try await browser.post(
                "/console/integrations", [("csrf", csrf), ("connectorId", connectorID), ("key", "cat"), ("name", "Cat <1>")])
            #expect(created.status == .seeOther)
            let integration = try await harness.call(.get, "/integrations/cat")
            let id = try #require(integration["id"]?.stringValue)
            let location = "/console/integrations/\(id)"
            #expect(created.location == location)

            let page = try await browser.get(location)
            #expect(page.status == .ok && page.body.contains("Integration Cat &lt;1&gt;"))
            #expect(page.body.contains("<a href=\"/console/connectors/\(connectorID)\">Catalog &lt;Test&gt;</a>"), "it links its connector")
            #expect(page.body.contains("<label for=\"parameter-1\">Client id (required)</label>"))
            #expect(page.body.contains("The OAuth client id &lt;from the provider&gt;."), "the description, escaped")
            #expect(page.body.contains("id=\"parameter-2\" name=\"parameter.clientSecret\" type=\"password\""), "a secret is a password input")
            #expect(page.body.contains("<select id=\"parameter-4\" name=\"parameter.region\""), "an enum is a choice")
            #expect(page.body.contains("No customer has connected to this integration yet."))

            let saved = try await browser.post("\(location)/parameters", [
                ("csrf", csrf), ("parameter.clientId", "client <7>"), ("parameter.clientSecret", "s3cret-value"),
                ("parameter.pageSize", "20"), ("parameter.region", "eu"), ("parameter.verbose", "true"),
            ])
            #expect(saved.status == .seeOther && saved.location == location, "\(saved.body)")
            let stored = try await harness.call(.get, "/integrations/cat", query: ["includeSecrets": "true"])
            #expect(
                stored["parameters"] == ["clientId": "client <7>", "clientSecret": "s3cret-value", "pageSize": 20, "region": "eu", "verbose": true])
            let filled = try await browser.get(location)
            #expect(filled.body.contains("Parameters saved."))
            #expect(PageText.inputValue(filled.body, id: "parameter-1") == "client &lt;7&gt;")
            #expect(PageText.inputValue(filled.body, id: "parameter-3") == "20")
            #expect(PageText.inputValue(filled.body, id: "parameter-2") == "" && !filled.body.contains("s3cret-value"), "the secret is never shown")
            #expect(filled.body.contains("A value is stored and never shown. Leave this empty to keep it."))
            #expect(filled.body.contains("<option value=\"eu\" selected>eu</option>"))
            #expect(filled.body.contains("<option value=\"true\" selected>Yes</option>"))

            let kept = try await browser.post("\(location)/parameters", [
                ("csrf", csrf), ("parameter.clientId", "client-8"), ("parameter.clientSecret", ""), ("parameter.pageSize", ""),
                ("parameter.region", "us"), ("parameter.verbose", "false"),
            ])
            #expect(kept.status == .seeOther)
            let after = try await harness.call(.get, "/integrations/cat", query: ["includeSecrets": "true"])
            #expect(after["parameters"] == ["clientId": "client-8", "clientSecret": "s3cret-value", "region": "us", "verbose": false],
                "an empty secret keeps its value; an empty field is unset")

            let bad = try await browser.post("\(location)/parameters", [
                ("csrf", csrf), ("parameter.clientId", ""), ("parameter.clientSecret", "new-secret"), ("parameter.pageSize", "twenty <2>"),
                ("parameter.region", "mars"),
            ])
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains("3 parameters are not valid; see the messages by the fields."), "\(bad.body)")
            #expect(PageText.text(bad.body, id: "parameter-1-error") == "is required")
            #expect(PageText.text(bad.body, id: "parameter-3-error") == "must be a whole number, such as 42")
            #expect(PageText.text(bad.body, id: "parameter-4-error") == "must be one of eu, us")
            #expect(bad.body.contains("aria-describedby=\"parameter-3-error\""))
            #expect(PageText.inputValue(bad.body, id: "parameter-3") == "twenty &lt;2&gt;", "the input is kept")
            #expect(!bad.body.contains("new-secret"), "a secret is not shown back, even when just typed")
            let unchanged = try await harness.call(.get, "/integrations/cat", query: ["includeSecrets": "true"])
            #expect(unchanged["parameters"] == after["parameters"], "nothing changed")
            let tooSmall = try await browser.post(
                "\(location)/parameters", [("csrf", csrf), ("parameter.clientId", "c"), ("parameter.pageSize", "0")])
            #expect(tooSmall.status == .badRequest && PageText.text(tooSmall.body, id: "parameter-3-error")?.contains("at least 1") == true,
                "the schema's own rules are checked: \(tooSmall.body)")

            let ask = try await browser.post("\(location)/archive", [("csrf", csrf), ("confirm", "")])
            #expect(ask.status == .ok && ask.body.contains("Yes, archive it") && ask.body.contains("name=\"confirm\" value=\"yes\""))
            #expect(try await harness.call(.get, "/integrations/cat")["archivedAt"] == nil, "not archived before it is confirmed")
            let archived = try await browser.post("\(location)/archive", [("csrf", csrf), ("confirm", "yes")])
            #expect(archived.status == .seeOther && archived.location == "/console/integrations")
            let list = try await browser.get("/console/integrations")
            #expect(list.body.contains("Integration Cat &lt;1&gt; archived.") && !list.body.contains("href=\"\(location)\""))
            let gone = try await browser.get(location)
            #expect(gone.status == .notFound)
        }
    }

    @Test func theIntegrationPageListsItsConnectionsAndTheListLinksTheConnector() async throws {
        let harness = try await ConsoleHarness()
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let connectorID = try await Self.connector(harness, &browser, csrf: csrf)
            let integration = try await harness.call(.post, "/integrations", ["key": "cat", "name": "Cat", "connectorId": .string(connectorID)])
            let id = try #require(integration["id"]?.stringValue)
            let customer = try await harness.call(.post, "/customers", ["internalId": "acme", "name": "Acme"])
            let tenant = try #require(customer["id"]?.stringValue)
            let connection = try await harness.store.records.insert(
                NewRecord(kind: .connections, tenantID: tenant, parentID: id, document: ["name": "Acme <hub>", "state": "disconnected"]),
                scope: .tenant(tenant, in: harness.workspaceKey))
            let page = try await browser.get("/console/integrations/\(id)")
            #expect(page.body.contains("<a href=\"/console/connections/\(connection.id)\">Acme &lt;hub&gt;</a>"), "\(page.body)")
            #expect(page.body.contains("href=\"/console/customers/\(tenant)\"") && page.body.contains("Disconnected: needs to be connected again"))
            let list = try await browser.get("/console/integrations")
            #expect(list.body.contains("<a href=\"/console/integrations/\(id)\">Cat</a>"))
            #expect(try await browser.get("/console/integrations?q=ca").body.contains("<a href=\"/console/integrations/\(id)\">Cat</a>"))
            #expect(try await browser.get("/console/integrations?q=zebra").body.contains("No integrations match “zebra”."))
            #expect(list.body.contains("<a href=\"/console/connectors/\(connectorID)\">Catalog &lt;Test&gt;</a>"))
        }
    }

    @Test func aViewerSeesParametersButNoFormToChangeThem() async throws {
        let harness = try await ConsoleHarness()
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let connectorID = try await Self.connector(harness, &browser, csrf: csrf)
            try await harness.call(.post, "/integrations", [
                "key": "cat", "name": "Cat", "connectorId": .string(connectorID), "parameters": ["clientId": "cid", "clientSecret": "hidden-value"],
            ])
            _ = try await browser.post("/console/logout", [("csrf", csrf)])
            try await harness.signIn(&browser, role: "viewer", email: "vic@example.com")
            let page = try await browser.get("/console/integrations/cat")
            #expect(page.status == .ok && page.body.contains("<fieldset class=\"parameters\" disabled>") && !page.body.contains("Save parameters"))
            #expect(!page.body.contains("hidden-value") && !page.body.contains("Archive integration") && !page.body.contains("Create integration"))
            let connector = try await browser.get("/console/connectors/\(connectorID)")
            #expect(connector.status == .ok && !connector.body.contains("enctype=\"multipart/form-data\""), "no upload form for a viewer")
        }
    }
}
