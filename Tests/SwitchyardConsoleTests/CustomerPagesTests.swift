import Foundation
import HTTPTypes
import NIOCore
import SwitchyardConsole
import SwitchyardCore
import SwitchyardTestSupport
import Testing

/// The customers pages through the in-process API: paging, details, a missing customer, and
/// what the console shows when the engine API cannot be reached.
@Suite struct CustomerPagesTests {
    @Test func customersListPagesAndEachLinksToItsDetail() async throws {
        let harness = try await ConsoleHarness()
        for index in 1...60 {
            try await harness.call(.post, "/customers", ["internalId": .string("cust-\(index)"), "name": .string("Customer <\(index)>")])
        }
        try await harness.run { browser in
            try await harness.signIn(&browser)
            let first = try await browser.get("/console/customers")
            #expect(first.status == .ok)
            #expect(first.body.components(separatedBy: "<tr><td><a href=").count - 1 == 50, "a page shows 50 customers")
            #expect(first.body.contains("Customer &lt;1&gt;") && !first.body.contains("Customer <1>"), "names are escaped")
            let next = try #require(first.body.components(separatedBy: "href=\"").first { $0.hasPrefix("/console/customers?cursor=") })
            let nextURL = String(next.prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            let second = try await browser.get(nextURL)
            #expect(second.body.components(separatedBy: "<tr><td><a href=").count - 1 == 10, "the rest on the next page")
            #expect(!second.body.contains("rel=\"next\""), "the last page has no next link")

            let customer = try await harness.call(.get, "/customers/cust-7")
            let id = try #require(customer["id"]?.stringValue)
            #expect(first.body.contains("href=\"/console/customers/\(id)\"") || second.body.contains("href=\"/console/customers/\(id)\""))
            let detail = try await browser.get("/console/customers/\(id)")
            #expect(detail.status == .ok && detail.body.contains("cust-7") && detail.body.contains("Customer &lt;7&gt;"))

            let nowhere = try await browser.get("/console/no/such/page")
            #expect(nowhere.status == .notFound && nowhere.body.contains("There is no console page at this address."), "an HTML page")
            let missing = try await browser.get("/console/customers/nobody")
            #expect(missing.status == .notFound && missing.body.contains("Customer nobody not found."))
        }
    }

    /// Every form the console registers (``Console/formPaths``) is refused to a viewer before its
    /// route runs, and the store is unchanged afterwards.
    @Test func viewersReadEveryPageButNoPostReachesARoute() async throws {
        let harness = try await ConsoleHarness()
        try await harness.call(.post, "/customers", ["internalId": "acme"])
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser, role: "viewer", email: "vic@example.com")
            #expect(try await browser.get("/console/customers").status == .ok, "a viewer reads")
            let forms = harness.console.formPaths.filter { $0 != "/logout" }.map { path in
                "/console/" + path.split(separator: "/").map { $0.hasPrefix(":") ? "acme" : String($0) }.joined(separator: "/")
            }
            #expect(forms.contains("/console/actions/acme/definition") && forms.contains("/console/flows/acme/run"), "\(forms)")
            for path in forms {
                let refused = try await browser.post(path, [("csrf", csrf), ("name", "changed")])
                #expect(refused.status == .forbidden && refused.body.contains("Viewers cannot change anything"), "\(path): \(refused.status)")
            }
            let after = try await harness.call(.get, "/customers/acme")
            #expect(after["name"]?.stringValue == "acme", "nothing changed")
            let out = try await browser.post("/console/logout", [("csrf", csrf)])
            #expect(out.status == .seeOther && out.location == "/console/login", "a viewer may still sign out")
        }
    }

    @Test func anUnreachableEngineShowsABannerNotAStackTrace() async throws {
        let port = try FreePort.pick()
        let engine = HTTPConsoleEngine(baseURL: "http://127.0.0.1:\(port)", timeout: .seconds(2)) { ("token", .seconds(300)) }
        let harness = try await ConsoleHarness(engine: engine)
        try await harness.run { browser in
            try await harness.signIn(&browser)
            let page = try await browser.get("/console/customers")
            #expect(page.status == .serviceUnavailable)
            #expect(page.body.contains("class=\"banner\"") && page.body.contains("The engine API cannot be reached."))
            #expect(page.body.contains("http://127.0.0.1:\(port)") && !page.body.contains("NIO") && !page.body.contains("Error("))
        }
    }
}
