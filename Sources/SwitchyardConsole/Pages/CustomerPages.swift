import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP

/// `<base>/customers`: the workspace's customers (tenants), searchable and paged, and one
/// customer's page with its connections.
enum CustomerPages {
    /// Registers the pages.
    static func register(_ pages: PageRoutes) {
        pages.get("/customers") { page in try await list(page) }
        pages.get("/customers/:id") { page in try await detail(page) }
    }

    /// The list.
    static func list(_ page: PageRequest) async throws -> PageResult {
        let paging = ListPage(page)
        let answer = try await page.get("/customers", paging.query())
        let base = page.console.settings
        let items = ListPage.items(answer) { item, values in
            values["href"] = base.url(EngineRequest.path("customers", item["id"]?.stringValue ?? ""))
            values["created"] = ViewValue.time(item["createdAt"]?.stringValue)
        }
        var values: [String: Any] = ["items": items, "q": paging.search, "searched": !paging.search.isEmpty, "empty": items.isEmpty]
        values["next"] = ListPage.next(answer, path: "/customers", page: page)
        return .view(PageView(title: "Customers", template: "customers", section: "/customers", values: values))
    }

    /// One customer.
    static func detail(_ page: PageRequest) async throws -> PageResult {
        let id = page.parameter("id")
        let customer = try await page.get(EngineRequest.path("customers", id))
        var values = ViewValue.of(customer) as? [String: Any] ?? [:]
        values["created"] = ViewValue.time(customer["createdAt"]?.stringValue)
        values["fieldsText"] = customer["fields"].map { ViewValue.pretty($0) } ?? ""
        let title = "Customer " + (customer["name"]?.stringValue ?? id)
        return .view(PageView(title: title, template: "customer", section: "/customers", values: values))
    }
}
