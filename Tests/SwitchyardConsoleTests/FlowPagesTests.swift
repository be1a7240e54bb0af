import Foundation
import HTTPTypes
import SwitchyardConsole
import SwitchyardCore
import SwitchyardStore
import Testing

/// The flow pages through the in-process API: the graph of nodes, the shared definition editor,
/// instances per customer enabled and disabled, and a run that lands on its run page.
@Suite struct FlowPagesTests {
    static let nodes: JSONValue = [
        "start": ["type": "api-trigger", "name": "Start <here>", "links": ["left", ["key": "right", "filter": true]]],
        "left": ["type": "transform", "config": ["output": 1], "links": ["end"]],
        "right": ["type": "transform", "config": ["output": 2]],
        "end": ["type": "transform", "config": ["output": ["$var": "$.input"]]],
    ]

    /// An integration, a customer with a connection to it (stored directly: the console only
    /// reads connections), and a flow of the integration.
    static func world(_ harness: ConsoleHarness) async throws -> (flowID: String, customerID: String, connectionID: String) {
        let integration = try #require(try await harness.call(.post, "/integrations", ["key": "hub", "name": "Hub"])["id"]?.stringValue)
        let customer = try #require(try await harness.call(.post, "/customers", ["internalId": "acme", "name": "Acme"])["id"]?.stringValue)
        let connection = try await harness.store.records.insert(
            NewRecord(kind: .connections, tenantID: customer, parentID: integration, document: ["name": "Acme's hub"]),
            scope: .tenant(customer, in: harness.workspaceKey))
        let flow = try await harness.call(.post, "/flows", ["key": "sync", "name": "Sync", "integrationKey": "hub", "nodes": nodes])
        return (try #require(flow["id"]?.stringValue), customer, connection.id)
    }

    @Test func theFlowPageDrawsItsNodesAsAnEscapedGraphWithAnEdgePerLinkAndListsThem() async throws {
        let harness = try await ConsoleHarness()
        let id = try #require(try await harness.call(.post, "/flows", ["key": "sync", "name": "Sync", "nodes": Self.nodes])["id"]?.stringValue)
        try await harness.run { browser in
            try await harness.signIn(&browser)
            let list = try await browser.get("/console/flows")
            #expect(list.status == .ok && list.body.contains("href=\"/console/flows/\(id)\"") && list.body.contains("4 nodes"))
            let page = try await browser.get("/console/flows/\(id)")
            #expect(page.status == .ok)
            let svg = try #require(page.body.components(separatedBy: "<svg").dropFirst().first?.components(separatedBy: "</svg>").first)
            #expect(svg.contains("role=\"img\"") && svg.contains("aria-label=\"Graph of flow Sync: 4 nodes\""))
            #expect(svg.contains("<title>Graph of flow Sync"))
            for key in ["start", "left", "right", "end"] { #expect(svg.contains("data-key=\"\(key)\""), "\(key)") }
            #expect(svg.components(separatedBy: "class=\"flow-edge\"").count - 1 == 3, "an edge per link")
            for (from, to) in [("start", "left"), ("start", "right"), ("left", "end")] {
                #expect(svg.contains("data-from=\"\(from)\" data-to=\"\(to)\""))
            }
            #expect(svg.contains("Start &lt;here&gt;") && !page.body.contains("Start <here>"), "node names are escaped")
            #expect(page.body.contains("<code>start</code> — Start &lt;here&gt; (api-trigger);\nlinks to left, right"), "a text list of the nodes")

            let csrf = try #require(page.body.components(separatedBy: "name=\"csrf\" value=\"").dropFirst().first?.prefix { $0 != "\"" })
            let form = try await browser.get("/console/flows/new")
            let starter = try #require(ActionPagesTests.definition(form.body))
            #expect(starter.contains("type: api-trigger"))
            let made = try await browser.post(
                "/console/flows/new", [("csrf", String(csrf)), ("key", "fresh"), ("format", "yaml"), ("definition", starter)])
            #expect(made.status == .seeOther && made.location?.hasPrefix("/console/flows/") == true)
            let fresh = try await browser.get(try #require(made.location))
            #expect(fresh.body.contains("Created the flow.") && fresh.body.contains("data-from=\"start\" data-to=\"done\""))
        }
    }

    @Test func aBrokenNodeIsShownByItsPathAndNothingIsSaved() async throws {
        let harness = try await ConsoleHarness()
        let id = try #require(try await harness.call(.post, "/flows", ["key": "sync", "name": "Sync", "nodes": Self.nodes])["id"]?.stringValue)
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let page = try await browser.get("/console/flows/\(id)?format=json")
            let text = try #require(ActionPagesTests.definition(page.body))
            let broken = text.replacingOccurrences(of: "\"left\",", with: "\"nowhere\",")
            let refused = try await browser.post("/console/flows/\(id)/definition", [("csrf", csrf), ("format", "json"), ("definition", broken)])
            #expect(refused.status == .badRequest && refused.body.contains("<code>nodes.start.links</code>: points at nowhere"), "\(refused.body)")
            #expect(ActionPagesTests.definition(refused.body) == broken)
            #expect(try await harness.call(.get, "/flows/\(id)")["nodes"] == Self.nodes, "nothing was saved")
        }
    }

    @Test func instancesShowPerCustomerAndAreDisabledEnabledAndRunLandingOnTheRun() async throws {
        let harness = try await ConsoleHarness(connections: true)
        let (flowID, customerID, connectionID) = try await Self.world(harness)
        let instance = try await harness.call(.post, "/flow-instances", ["flowKey": "sync", "connectionId": .string(connectionID)])
        let instanceID = try #require(instance["id"]?.stringValue)
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let page = try await browser.get("/console/flows/\(flowID)")
            #expect(page.body.contains("href=\"/console/customers/\(customerID)\""))
            #expect(page.body.contains("href=\"/console/connections/\(connectionID)\""))
            #expect(page.body.contains("\">Hub</a>"), "the integration is linked by its name")
            #expect(page.body.contains("<td>Enabled</td>") && page.body.contains("<option value=\"instance:\(instanceID)\""))

            let integrationID = try #require(try await harness.call(.get, "/integrations/hub")["id"]?.stringValue)
            let filtered = try await browser.get("/console/flows?integration=\(integrationID)")
            #expect(filtered.body.contains("href=\"/console/flows/\(flowID)\""))
            #expect(filtered.body.contains("<option value=\"\(integrationID)\" selected>"), "the filter is kept")
            let universal = try await browser.get("/console/flows?layer=universal")
            #expect(universal.status == .ok && !universal.body.contains("href=\"/console/flows/\(flowID)\""), "the filter leaves it out")

            let toggle = "/console/flows/\(flowID)/instances/\(instanceID)/enabled"
            let off = try await browser.post(toggle, [("csrf", csrf), ("enabled", "false")])
            #expect(off.status == .seeOther && off.location == "/console/flows/\(flowID)")
            #expect(try await harness.call(.get, "/flow-instances/\(instanceID)")["enabled"] == false)
            let disabled = try await browser.get("/console/flows/\(flowID)")
            #expect(disabled.body.contains("Disabled the instance.") && disabled.body.contains("<td>Disabled</td>"))

            let refused = try await browser.post(
                "/console/flows/\(flowID)/run",
                [("csrf", csrf), ("target", "instance:\(instanceID)"), ("inputFormat", "json"), ("input", "{\"n\": 7}")])
            #expect(refused.status == .badRequest && refused.body.contains("is disabled"), "\(refused.body)")
            #expect(refused.body.contains("{&quot;n&quot;: 7}"), "the input is kept")

            let on = try await browser.post(toggle, [("csrf", csrf), ("enabled", "true")])
            #expect(on.status == .seeOther)
            #expect(try await harness.call(.get, "/flow-instances/\(instanceID)")["enabled"] == true)

            let run = try await browser.post(
                "/console/flows/\(flowID)/run", [("csrf", csrf), ("target", "instance:\(instanceID)"), ("inputFormat", "yaml"), ("input", "n: 7\n")])
            #expect(run.status == .seeOther)
            let location = try #require(run.location)
            #expect(location.hasPrefix("/console/flow-runs/"))
            let stored = try await harness.call(.get, "/flow-runs/" + location.dropFirst("/console/flow-runs/".count))
            #expect(stored["flowInstanceId"]?.stringValue == instanceID && stored["input"] == ["n": 7])

            let byConnection = try await browser.post(
                "/console/flows/\(flowID)/run", [("csrf", csrf), ("target", "connection:\(connectionID)"), ("inputFormat", "json"), ("input", "")])
            #expect(byConnection.status == .seeOther && byConnection.location?.hasPrefix("/console/flow-runs/") == true, "\(byConnection.body)")
        }
    }
}
