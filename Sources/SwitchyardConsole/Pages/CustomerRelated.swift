import SwitchyardCore

/// What a customer's page shows beside the customer itself: its connections, its flow
/// instances and its most recent flow runs, each linking to its own page (its limits have a
/// page of their own, linked from the last section).
enum CustomerRelated {
    /// How many of each the page shows (each section links to the full, filtered list).
    static let shown = 20

    /// Adds `connections`, `instances` and `runs` (and their "more" links) to a customer's page values.
    static func add(_ page: PageRequest, customerID: String, into values: inout [String: Any]) async throws {
        let settings = page.console.settings
        let limit = String(shown)
        let connections = try await page.get("/connections", ["customerId": customerID, "limit": limit])
        var found: [String: String] = [:]
        for item in connections["items"]?.arrayValue ?? [] {
            if let id = item["id"]?.stringValue { found[id] = item["name"]?.stringValue ?? id }
        }
        let names = found
        values["connections"] = ListPage.items(connections) { item, values in
            let id = item["id"]?.stringValue ?? ""
            values["href"] = settings.url(EngineRequest.path("connections", id))
            values["label"] = names[id] ?? id
            values.merge(ConnectionStateText(item).values) { _, new in new }
        }
        values["hasConnections"] = !(connections["items"]?.arrayValue ?? []).isEmpty
        values["moreConnections"] = more(connections, settings.url("/connections"), customerID)
        let instances = try await page.get("/flow-instances", ["customerId": customerID, "limit": limit])
        values["instances"] = ListPage.items(instances) { item, values in
            let id = item["id"]?.stringValue ?? ""
            values["label"] = item["name"]?.stringValue ?? item["key"]?.stringValue ?? id
            values["runsHref"] = settings.url("/flow-runs") + "?" + FormURLEncoding.encode([("flowInstanceId", id)])
            if let flow = item["parentId"]?.stringValue { values["flowHref"] = settings.url(EngineRequest.path("flows", flow)) }
            if let connection = item["connectionId"]?.stringValue {
                values["connectionHref"] = settings.url(EngineRequest.path("connections", connection))
                values["connectionLabel"] = names[connection] ?? connection
            }
            values["enabledText"] = item["enabled"] == .bool(false) ? "Disabled" : "Enabled"
        }
        values["hasInstances"] = !(instances["items"]?.arrayValue ?? []).isEmpty
        values["moreInstances"] = instances["cursor"]?.stringValue != nil
        let runs = try await page.get("/flow-runs", ["customerId": customerID, "limit": limit, "order": "newest"])
        values["runs"] = ListPage.items(runs) { item, values in FlowRunPages.row(item, settings: settings, into: &values) }
        values["hasRuns"] = !(runs["items"]?.arrayValue ?? []).isEmpty
        values["allRuns"] = settings.url("/flow-runs") + "?" + FormURLEncoding.encode([("customerId", customerID)])
    }

    /// The link to the whole filtered list when the answer has more than one page.
    private static func more(_ answer: JSONValue, _ path: String, _ customerID: String) -> String? {
        guard answer["cursor"]?.stringValue != nil else { return nil }
        return path + "?" + FormURLEncoding.encode([("customerId", customerID)])
    }
}
