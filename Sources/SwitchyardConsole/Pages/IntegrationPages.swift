import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardHTTP
import SwitchyardCore

/// `<base>/integrations`: the workspace's integrations (searchable, paged), each linking its
/// connector, with a form to create one from a connector; an integration's own page is
/// ``IntegrationPage``.
enum IntegrationPages {
    /// How many connectors the create form offers.
    static let connectorChoices = 500

    /// Registers the pages.
    static func register(_ pages: PageRoutes) {
        pages.get("/integrations") { page in try await list(page) }
        pages.post("/integrations") { page in try await create(page) }
        pages.get("/integrations/:id") { page in try await IntegrationPage.detail(page) }
        pages.post("/integrations/:id/parameters") { page in try await IntegrationPage.saveParameters(page) }
        pages.post("/integrations/:id/archive") { page in try await IntegrationPage.archive(page) }
    }

    /// The list, and the create form (with the input and errors of a refused creation).
    static func list(_ page: PageRequest, form: FormState = FormState()) async throws -> PageResult {
        let paging = ListPage(page)
        let answer = try await page.get("/integrations", paging.query())
        let connectors = try await page.get("/connectors", ["limit": String(connectorChoices)])["items"]?.arrayValue ?? []
        var names: [String: String] = [:]
        for connector in connectors {
            if let id = connector["id"]?.stringValue { names[id] = connector["name"]?.stringValue ?? connector["key"]?.stringValue ?? id }
        }
        let settings = page.console.settings
        let items = ListPage.items(answer) { item, values in
            values["href"] = settings.url(EngineRequest.path("integrations", item["id"]?.stringValue ?? ""))
            if let connector = item["connectorId"]?.stringValue {
                values["connectorHref"] = settings.url(EngineRequest.path("connectors", connector))
                values["connectorName"] = names[connector] ?? connector
            }
        }
        var values = form.templateValues
        values["items"] = items
        values["empty"] = items.isEmpty
        if !paging.search.isEmpty { values["q"] = paging.search }
        values["next"] = ListPage.next(answer, path: "/integrations", page: page)
        let chosen = form.values["connectorId"] ?? page.query("connector")
        values["connectors"] = connectors.map { connector -> [String: Any] in
            let id = connector["id"]?.stringValue ?? ""
            let key = connector["key"]?.stringValue ?? id
            let label = (connector["name"]?.stringValue).map { "\($0) (\(key))" } ?? key
            return ["value": id, "label": label, "selected": id == chosen || (!chosen.isEmpty && key == chosen)]
        }
        values["hasConnectors"] = !connectors.isEmpty
        return .view(
            PageView(title: "Integrations", template: "integrations", section: "/integrations", values: values, status: .init(code: form.status)))
    }

    /// Creates an integration from a connector, then shows it; a refusal shows the form again.
    static func create(_ page: PageRequest) async throws -> PageResult {
        let form = try await page.form()
        let input = ["connectorId": form["connectorId"], "key": form["key"], "name": form["name"]]
        var body: [String: JSONValue] = [:]
        for (name, value) in input where !value.trimmingCharacters(in: .whitespaces).isEmpty {
            body[name] = .string(value.trimmingCharacters(in: .whitespaces))
        }
        guard body["connectorId"] != nil else {
            let problem = APIProblem(message: "choose the connector to integrate", fields: ["connectorId": "Choose a connector."])
            return try await list(page, form: FormState(values: input, problem: problem))
        }
        switch try await page.submit(.post, "/integrations", .object(body)) {
        case .success(let created):
            let id = created["id"]?.stringValue ?? form["key"]
            return .redirect(EngineRequest.path("integrations", id), notice: "Integration \(form["key"]) created. Fill in its parameters below.")
        case .failure(let problem):
            return try await list(page, form: FormState(values: input, problem: problem))
        }
    }
}
