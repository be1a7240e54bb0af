import Foundation
import HTTPTypes
import SwitchyardConsole
import SwitchyardCore
import Testing

/// The action pages through the in-process API: the list, editing a definition in YAML and in
/// JSON, refused definitions (by path, and syntax errors by line) that keep the text and save
/// nothing, creating, archiving, running with an input, and what a viewer sees.
@Suite struct ActionPagesTests {
    static let action: JSONValue = [
        "key": "greet", "name": "Greet", "type": "transform", "config": ["output": ["hello": ["$var": "$.input.who"]]],
    ]

    /// The value of the page's first `<textarea id="definition">`, unescaped.
    static func definition(_ body: String) -> String? {
        guard let start = body.range(of: "<textarea id=\"definition\""), let open = body[start.upperBound...].firstIndex(of: ">"),
            let end = body[open...].range(of: "</textarea>")
        else { return nil }
        return String(body[body.index(after: open)..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&#x27;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test func theActionsListSearchesByKeyOrName() async throws {
        let harness = try await ConsoleHarness()
        try await harness.call(.post, "/actions", Self.action)
        try await harness.call(.post, "/actions", ["key": "farewell", "name": "Say goodbye", "type": "transform", "config": ["output": [:]]])
        try await harness.run { browser in
            try await harness.signIn(&browser)
            let byName = try await browser.get("/console/actions?q=GOODBYE")
            #expect(byName.status == .ok && byName.body.contains("<code>farewell</code>") && !byName.body.contains("<code>greet</code>"))
            #expect(byName.body.contains("value=\"GOODBYE\""), "the search is kept in its box")
            let byKey = try await browser.get("/console/actions?q=gre")
            #expect(byKey.body.contains("<code>greet</code>") && !byKey.body.contains("<code>farewell</code>"))
            let none = try await browser.get("/console/actions?q=nothing-like-it")
            #expect(none.body.contains("No actions match the filter."))
        }
    }

    @Test func anActionIsListedAndItsDefinitionIsEditedAsYAMLAndAsJSON() async throws {
        let harness = try await ConsoleHarness()
        let created = try await harness.call(.post, "/actions", Self.action)
        let id = try #require(created["id"]?.stringValue)
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let list = try await browser.get("/console/actions")
            #expect(list.status == .ok && list.body.contains("href=\"/console/actions/\(id)\"") && list.body.contains("transform"))

            let page = try await browser.get("/console/actions/\(id)")
            #expect(page.status == .ok)
            let yaml = try #require(Self.definition(page.body))
            #expect(yaml.hasPrefix("name: Greet\ntype: transform\n") && yaml.contains("$var: $.input.who"), "\(yaml)")

            let edited = yaml.replacingOccurrences(of: "name: Greet", with: "name: \"Greet <everyone>\"")
            let saved = try await browser.post("/console/actions/\(id)/definition", [("csrf", csrf), ("format", "yaml"), ("definition", edited)])
            #expect(saved.status == .seeOther && saved.location == "/console/actions/\(id)?format=yaml")
            #expect(try await harness.call(.get, "/actions/\(id)")["name"] == "Greet <everyone>")
            let after = try await browser.get(try #require(saved.location))
            #expect(after.body.contains("Saved.") && after.body.contains("Greet &lt;everyone&gt;") && !after.body.contains("Greet <everyone>"))

            let json = try await browser.get("/console/actions/\(id)?format=json")
            let text = try #require(Self.definition(json.body))
            #expect(text.hasPrefix("{\n  \"name\": \"Greet <everyone>\",\n  \"type\": \"transform\""), "\(text)")
            #expect(json.body.contains("id=\"format-json\" name=\"format\" value=\"json\" checked"))
            let replaced = "{\"name\": \"From JSON\", \"type\": \"transform\", \"config\": {\"output\": 42}}"
            let savedJSON = try await browser.post(
                "/console/actions/\(id)/definition", [("csrf", csrf), ("format", "json"), ("definition", replaced)])
            #expect(savedJSON.status == .seeOther)
            let stored = try await harness.call(.get, "/actions/\(id)")
            #expect(stored["name"] == "From JSON" && stored["config"] == ["output": 42])
        }
    }

    @Test func aRefusedDefinitionShowsEachPathWithItsMessageKeepsTheTextAndSavesNothing() async throws {
        let harness = try await ConsoleHarness()
        let id = try #require(try await harness.call(.post, "/actions", Self.action)["id"]?.stringValue)
        let before = try await harness.call(.get, "/actions/\(id)")
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let bad = "name: \"\"\ntype: transform\nconfig: 5\nsurprise: <yes>\n"
            let refused = try await browser.post("/console/actions/\(id)/definition", [("csrf", csrf), ("format", "yaml"), ("definition", bad)])
            #expect(refused.status == .badRequest)
            #expect(refused.body.contains("<code>config</code>: must be an object"), "\(refused.body)")
            #expect(refused.body.contains("<code>name</code>: ") && refused.body.contains("<code>surprise</code>: "))
            #expect(refused.body.contains("aria-describedby=\"definition-errors\"") && refused.body.contains("id=\"definition-errors\""))
            #expect(Self.definition(refused.body) == bad, "the text is kept as typed")
            #expect(refused.body.contains("surprise: &lt;yes&gt;") && !refused.body.contains("<yes>"))
            #expect(try await harness.call(.get, "/actions/\(id)") == before, "nothing was saved")

            let broken = "name: Greet\nconfig:\n  output: [1, 2\ntype: transform\n"
            let syntax = try await browser.post("/console/actions/\(id)/definition", [("csrf", csrf), ("format", "yaml"), ("definition", broken)])
            #expect(syntax.status == .badRequest && syntax.body.contains("Line ") && syntax.body.contains("invalid YAML"), "\(syntax.body)")
            #expect(Self.definition(syntax.body) == broken)
            let badJSON = "{\"name\": \"Greet\",\n  \"type\" \"transform\"}"
            let jsonSyntax = try await browser.post(
                "/console/actions/\(id)/definition", [("csrf", csrf), ("format", "json"), ("definition", badJSON)])
            #expect(jsonSyntax.status == .badRequest && jsonSyntax.body.contains("Line 2, column 10: invalid JSON"), "\(jsonSyntax.body)")
            #expect(jsonSyntax.body.contains("id=\"format-json\" name=\"format\" value=\"json\" checked"), "the format is kept")
            #expect(try await harness.call(.get, "/actions/\(id)") == before, "nothing was saved")
        }
    }

    @Test func anActionIsCreatedRunWithAnInputShowingItsOutputAndArchived() async throws {
        let harness = try await ConsoleHarness(connections: true)
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let form = try await browser.get("/console/actions/new")
            #expect(form.status == .ok && Self.definition(form.body)?.contains("type: transform") == true)
            let definition = "name: Echo\ntype: transform\nconfig:\n  output:\n    got:\n      $var: $.input.value\n"
            let missingKey = try await browser.post(
                "/console/actions/new", [("csrf", csrf), ("key", ""), ("format", "yaml"), ("definition", definition)])
            #expect(missingKey.status == .badRequest && missingKey.body.contains("id=\"key-error\""), "\(missingKey.body)")
            #expect(Self.definition(missingKey.body) == definition)
            let made = try await browser.post(
                "/console/actions/new", [("csrf", csrf), ("key", "echo"), ("format", "yaml"), ("definition", definition)])
            #expect(made.status == .seeOther)
            let location = try #require(made.location)
            let id = String(location.dropFirst("/console/actions/".count))
            #expect(try await harness.call(.get, "/actions/\(id)")["key"] == "echo")

            let run = try await browser.post(
                "/console/actions/\(id)/run", [("csrf", csrf), ("connectionId", ""), ("inputFormat", "yaml"), ("input", "value: <b>bold</b>\n")])
            #expect(run.status == .ok, "\(run.body)")
            #expect(run.body.contains("<h3>Output</h3>") && run.body.contains("&quot;got&quot;: &quot;&lt;b&gt;bold&lt;/b&gt;&quot;"), "\(run.body)")
            #expect(run.body.contains("value: &lt;b&gt;bold&lt;/b&gt;"), "the input is kept")

            let badInput = try await browser.post("/console/actions/\(id)/run", [("csrf", csrf), ("inputFormat", "json"), ("input", "{\"value\": }")])
            #expect(badInput.status == .badRequest && badInput.body.contains("The input is not valid: Line 1, column 11"), "\(badInput.body)")

            let archived = try await browser.post("/console/actions/\(id)/archive", [("csrf", csrf)])
            #expect(archived.status == .seeOther && archived.location == "/console/actions")
            #expect(try await browser.get("/console/actions/\(id)").status == .notFound)
        }
    }

    @Test func aViewerReadsTheDefinitionButGetsNoEditorAndNoRunForm() async throws {
        let harness = try await ConsoleHarness()
        let id = try #require(try await harness.call(.post, "/actions", Self.action)["id"]?.stringValue)
        try await harness.run { browser in
            try await harness.signIn(&browser, role: "viewer", email: "vic@example.com")
            let page = try await browser.get("/console/actions/\(id)")
            #expect(page.status == .ok && page.body.contains("<pre>name: Greet"))
            #expect(!page.body.contains("<textarea") && !page.body.contains("/definition\"") && !page.body.contains("/run\""))
            #expect(!(try await browser.get("/console/actions")).body.contains("New action"))
        }
    }
}
