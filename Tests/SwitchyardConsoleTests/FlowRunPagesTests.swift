import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardTestSupport
import Testing

/// The flow run pages against runs the flow runner executed (requests to httpbin on loopback):
/// a failed run's page leads with the failing node's error, retry starts a new run linked back,
/// stop ends a queued run, the filters narrow the list, and a customer's page lists its
/// connections, flow instances and runs.
@Suite(.enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct FlowRunPagesTests {
    static let failing: JSONValue = [
        "start": ["type": "api-trigger", "links": ["echo"]],
        "echo": ["type": "api-request-to-external-app", "config": ["path": "/headers", "method": "GET"], "links": ["missing"]],
        "missing": ["type": "api-request-to-external-app", "config": ["path": "/status/404", "method": "GET"]],
    ]
    static let passing: JSONValue = [
        "start": ["type": "api-trigger", "links": ["done"]],
        "done": ["type": "transform", "config": ["output": ["done": true]]],
    ]

    /// Rows of a runs table.
    static func rows(_ page: Page) -> Int {
        page.body.components(separatedBy: "<tr><td><a href=\"/console/flow-runs/").count - 1
    }

    @Test("A failed run's page shows the failing node's error first and its timeline; retry starts a new run linked from the page")
    func failedRunShowsItsErrorAndRetries() async throws {
        try await ConsoleConnectionWorld.with { world, browser, csrf in
            let (_, connection) = try await world.connect("acme", name: "Acme")
            try await world.flow("sync", nodes: Self.failing)
            let runID = try await world.start("sync", connectionID: connection, input: ["order": 7])
            #expect(try await world.drain(runID) == "failed")

            let page = try await browser.get("/console/flow-runs/\(runID)")
            #expect(page.status == .ok)
            let failure = try #require(
                page.body.components(separatedBy: "<div class=\"failure\" role=\"alert\">").dropFirst().first, "\(page.body)")
            #expect(failure.contains("Node <code>missing</code> failed:") && failure.contains("the API answered 404"), "\(failure)")
            let errorAt = try #require(page.body.range(of: "class=\"failure\"")).lowerBound
            #expect(errorAt < (try #require(page.body.range(of: "<h2>Timeline</h2>"))).lowerBound, "the error comes first")
            #expect(page.body.contains("id=\"node-echo\"") && page.body.contains("id=\"node-missing\""), "every node in the timeline")
            #expect(page.body.contains("<details open><summary>Input, output and logs of <code>missing</code>"), "the failed node is open")
            #expect(page.body.contains("&quot;order&quot;"), "the run's input")
            #expect(page.links.contains("/console/connections/\(connection)") && page.body.contains("Acme</a>"), "links its connection and customer")
            #expect(page.body.contains("/status/404") && !page.body.contains("\\/"), "JSON shows slashes as they are")
            #expect(!page.body.contains(ConsoleConnectionWorld.basicCredentials), "echoed credentials never show")
            #expect(!page.body.contains("/stop\""), "a failed run cannot be stopped")

            let retried = try await browser.post("/console/flow-runs/\(runID)/retry", [("csrf", csrf)])
            #expect(retried.status == .seeOther, "\(retried.body)")
            let location = try #require(retried.location)
            #expect(location.hasPrefix("/console/flow-runs/") && location != "/console/flow-runs/\(runID)")
            let newRun = try await browser.get(location)
            #expect(newRun.body.contains("Retry queued") && newRun.links.contains("/console/flow-runs/\(runID)"), "\(newRun.body)")
            #expect(newRun.body.contains("<dt>Retry of</dt>") && newRun.body.contains("&quot;order&quot;"), "same input")
            #expect(newRun.body.contains("action=\"\(location)/stop\""), "a queued run can be stopped")
            let newID = String(location.dropFirst("/console/flow-runs/".count))
            #expect(try await world.harness.call(.get, "/flow-runs/\(newID)")["retryOf"] == .string(runID))
        }
    }

    @Test("Stop ends a queued run; the filters narrow the runs list; a customer's page lists its connections, instances and runs")
    func stopFiltersAndCustomerPage() async throws {
        try await ConsoleConnectionWorld.with { world, browser, csrf in
            let (acme, acmeConnection) = try await world.connect("acme", name: "Acme")
            let (_, globexConnection) = try await world.connect("globex", name: "Globex")
            try await world.flow("sync", nodes: Self.failing)
            let okFlow = try await world.flow("ok", nodes: Self.passing)
            let failed = try await world.start("sync", connectionID: acmeConnection)
            try await world.drain(failed)
            let completed = try await world.start("ok", connectionID: globexConnection)
            #expect(try await world.drain(completed) == "completed")
            let queued = try await world.start("ok", connectionID: acmeConnection)

            let stopPage = try await browser.get("/console/flow-runs/\(queued)")
            #expect(stopPage.body.contains(">Queued</span>") && !stopPage.body.contains("/retry\""), "\(stopPage.body)")
            let stopped = try await browser.post("/console/flow-runs/\(queued)/stop", [("csrf", csrf)])
            #expect(stopped.status == .seeOther && stopped.location == "/console/flow-runs/\(queued)")
            let afterStop = try await browser.get("/console/flow-runs/\(queued)")
            #expect(afterStop.body.contains("Stopped.") && afterStop.body.contains(">Stopped</span>"), "\(afterStop.body)")
            #expect(afterStop.body.contains("action=\"/console/flow-runs/\(queued)/retry\""), "a stopped run can be retried")

            let all = try await browser.get("/console/flow-runs")
            #expect(all.status == .ok && Self.rows(all) == 3, "\(all.body)")
            #expect(all.body.contains("<a href=\"/console/flow-runs\" aria-current=\"page\">Flow runs</a>"), "the navigation marks the section")
            #expect(all.body.contains("<option value=\"\(okFlow)\">"), "the flow filter offers the flows")
            let cases: [(String, Set<String>)] = [
                ("status=failed", [failed]), ("customerId=globex", [completed]), ("flowId=\(okFlow)", [completed, queued]),
                ("connectionId=\(acmeConnection)", [failed, queued]), ("customerId=acme&status=stopped", [queued]),
            ]
            for (query, expected) in cases {
                let page = try await browser.get("/console/flow-runs?\(query)")
                let shown = Set(page.links.filter { $0.hasPrefix("/console/flow-runs/") }.map { String($0.dropFirst("/console/flow-runs/".count)) })
                #expect(page.status == .ok && shown == expected, "\(query): \(shown)")
            }
            let unknown = try await browser.get("/console/flow-runs?customerId=nobody")
            #expect(unknown.status == .notFound && unknown.body.contains("Customer nobody not found."))

            let customer = try await browser.get("/console/customers/\(acme)")
            #expect(customer.status == .ok)
            #expect(customer.links.contains("/console/connections/\(acmeConnection)"), "its connection")
            #expect(!customer.links.contains("/console/connections/\(globexConnection)"), "not another customer's")
            #expect(customer.body.contains(">Connected</span>"))
            #expect(
                customer.body.contains("<h2 id=\"instances-heading\">Flow instances</h2>") && customer.body.contains("Runs of sync"),
                "\(customer.body)")
            #expect(customer.links.contains("/console/flow-runs/\(failed)") && customer.links.contains("/console/flow-runs/\(queued)"), "its runs")
            #expect(!customer.links.contains("/console/flow-runs/\(completed)"), "not another customer's runs")
            let instanceRuns = try #require(customer.links.first { $0.hasPrefix("/console/flow-runs?flowInstanceId=") })
            #expect(Self.rows(try await browser.get(instanceRuns)) == 1, "an instance's runs link lists its runs")
        }
    }
}
