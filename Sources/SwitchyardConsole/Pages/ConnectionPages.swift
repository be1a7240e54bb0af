import HTTPTypes
import SwitchyardCore

/// `<base>/connections`: every customer's connections, filtered by integration or customer and
/// paged, and one connection's page: its state in plain words, the last error, links to its
/// customer and integration, test / refresh / disconnect, and its external API log.
enum ConnectionPages {
    /// How many external API log entries a connection's page shows at a time.
    static let logPageSize = 20

    /// Registers the pages (the actions and the log entry page too).
    static func register(_ pages: PageRoutes) {
        pages.get("/connections") { page in try await list(page) }
        pages.get("/connections/:id") { page in .view(try await view(page, id: page.parameter("id"))) }
        ConnectionActions.register(pages)
        ExternalAPILogPages.register(pages)
    }

    /// The list.
    static func list(_ page: PageRequest) async throws -> PageResult {
        let paging = ListPage(page)
        let integrationID = page.query("integrationId")
        let customerID = page.query("customerId")
        let answer = try await page.get("/connections", paging.query(["integrationId": integrationID, "customerId": customerID]))
        let integrations = try await page.get("/integrations", ["limit": "200"])
        var names: [String: String] = [:]
        var options: [[String: Any]] = []
        for item in integrations["items"]?.arrayValue ?? [] {
            let id = item["id"]?.stringValue ?? ""
            let name = item["name"]?.stringValue ?? item["key"]?.stringValue ?? id
            names[id] = name
            options.append(["id": id, "name": name, "selected": id == integrationID])
        }
        let integrationNames = names
        let settings = page.console.settings
        let items = ListPage.items(answer) { item, values in
            let id = item["id"]?.stringValue ?? ""
            values["href"] = settings.url(EngineRequest.path("connections", id))
            values["label"] = item["name"]?.stringValue ?? id
            if let tenant = item["tenantId"]?.stringValue { values["customerHref"] = settings.url(EngineRequest.path("customers", tenant)) }
            if let integration = item["integrationId"]?.stringValue {
                values["integrationName"] = integrationNames[integration] ?? integration
                values["integrationHref"] = settings.url(EngineRequest.path("integrations", integration))
            }
            values.merge(ConnectionStateText(item).values) { _, new in new }
            values["created"] = ViewValue.time(item["createdAt"]?.stringValue)
        }
        var values: [String: Any] = [
            "items": items, "q": paging.search, "empty": items.isEmpty, "integrations": options, "customerId": customerID,
            "filtered": !integrationID.isEmpty || !customerID.isEmpty || !paging.search.isEmpty,
        ]
        values["next"] = ListPage.next(answer, path: "/connections", page: page, keep: ["q", "integrationId", "customerId"])
        return .view(PageView(title: "Connections", template: "connections", section: "/connections", values: TemplateValues.compact(values)))
    }

    /// One connection's page, with the outcome of an action that failed (`problem`), if any.
    static func view(_ page: PageRequest, id: String, problem: (title: String, problem: APIProblem)? = nil) async throws -> PageView {
        let connection = try await page.get(EngineRequest.path("connections", id), ["includeArchived": "true"])
        let settings = page.console.settings
        var values = ViewValue.of(connection) as? [String: Any] ?? [:]
        values.merge(ConnectionStateText(connection).values) { _, new in new }
        values["label"] = connection["name"]?.stringValue ?? id
        values["created"] = ViewValue.time(connection["createdAt"]?.stringValue)
        values["updated"] = ViewValue.time(connection["updatedAt"]?.stringValue)
        values["live"] = connection["archivedAt"] == nil
        values["path"] = settings.url(EngineRequest.path("connections", id))
        if let tenant = connection["tenantId"]?.stringValue {
            let customer = try? await page.get(EngineRequest.path("customers", tenant))
            values["customer"] = [
                "href": settings.url(EngineRequest.path("customers", tenant)),
                "name": customer?["name"]?.stringValue ?? tenant, "internalId": customer?["internalId"]?.stringValue ?? "",
            ]
        }
        if let integration = connection["integrationId"]?.stringValue {
            let found = try? await page.get(EngineRequest.path("integrations", integration))
            values["integration"] = [
                "href": settings.url(EngineRequest.path("integrations", integration)),
                "name": found?["name"]?.stringValue ?? found?["key"]?.stringValue ?? integration,
            ]
        }
        if let problem {
            values["actionError"] = problem.title + " " + problem.problem.sentence
        }
        try await externalLog(page, connectionID: id, into: &values)
        let status = problem.map { HTTPResponse.Status(code: max(400, min($0.problem.status, 599))) } ?? .ok
        let title = "Connection " + (connection["name"]?.stringValue ?? id)
        return PageView(title: title, template: "connection", section: "/connections", values: TemplateValues.compact(values), status: status)
    }

    /// The connection's external API log, newest first, a page at a time (`logCursor`).
    private static func externalLog(_ page: PageRequest, connectionID: String, into values: inout [String: Any]) async throws {
        let answer = try await page.get(
            "/external-api-logs",
            ["connectionId": connectionID, "limit": String(logPageSize), "cursor": page.query("logCursor"), "order": "newest"])
        let settings = page.console.settings
        values["log"] = ListPage.items(answer) { item, values in
            values["href"] = settings.url(EngineRequest.path("external-api-logs", item["id"]?.stringValue ?? ""))
            values["time"] = ViewValue.time(item["startedAt"]?.stringValue ?? item["createdAt"]?.stringValue)
            values["outcome"] = item["status"]?.numberValue.map { String(Int($0)) } ?? item["error"]?.stringValue ?? "no answer"
        }
        values["logEmpty"] = (answer["items"]?.arrayValue ?? []).isEmpty
        if let cursor = answer["cursor"]?.stringValue, !cursor.isEmpty {
            values["logNext"] = settings.url(EngineRequest.path("connections", connectionID)) + "?"
                + FormURLEncoding.encode([("logCursor", cursor)]) + "#log"
        }
    }
}
