import HTTPTypes
import SwitchyardCore

/// `<base>/flow-runs`: runs filtered by flow, customer, connection and state, and one run's page
/// with what went wrong first (the failing node and its error), its timeline of node runs, and
/// stop (queued or running runs) and retry (failed or stopped runs).
enum FlowRunPages {
    /// Registers the pages and their actions.
    static func register(_ pages: PageRoutes) {
        pages.get("/flow-runs") { page in try await list(page) }
        pages.get("/flow-runs/:id") { page in .view(try await view(page, id: page.parameter("id"))) }
        pages.post("/flow-runs/:id/stop") { page in try await act(page, "stop") }
        pages.post("/flow-runs/:id/retry") { page in try await act(page, "retry") }
    }

    /// The filters the list reads from its query and passes to the API.
    static let filters = ["flowId", "customerId", "connectionId", "status", "flowInstanceId"]

    /// The list, newest first.
    static func list(_ page: PageRequest) async throws -> PageResult {
        let paging = ListPage(page)
        var query = paging.query(Dictionary(uniqueKeysWithValues: filters.map { ($0, page.query($0)) }))
        query["order"] = "newest"
        query["search"] = nil
        let answer = try await page.get("/flow-runs", query)
        let settings = page.console.settings
        var flows: [[String: Any]] = []
        for layer in ["integration", "universal"] {
            let found = try await page.get("/flows", ["layer": layer, "limit": "200"])
            for flow in found["items"]?.arrayValue ?? [] {
                let id = flow["id"]?.stringValue ?? ""
                let name = flow["name"]?.stringValue ?? flow["key"]?.stringValue ?? id
                flows.append(["id": id, "name": name, "key": flow["key"]?.stringValue ?? "", "selected": id == page.query("flowId")])
            }
        }
        let items = ListPage.items(answer) { item, values in
            row(item, settings: settings, into: &values)
            values["duration"] = FlowRunText.duration(from: item["startedAt"]?.stringValue, to: item["finishedAt"]?.stringValue)
            if let node = item["error"]?["nodeKey"]?.stringValue { values["failedNode"] = node }
        }
        var values: [String: Any] = ["items": items, "empty": items.isEmpty, "flows": flows]
        for name in filters { values[name] = page.query(name) }
        values["statuses"] = FlowRunText.statuses.map { ["value": $0, "label": FlowRunText.label($0), "selected": $0 == page.query("status")] }
        values["filtered"] = filters.contains { !page.query($0).isEmpty }
        values["next"] = ListPage.next(answer, path: "/flow-runs", page: page, keep: filters)
        return .view(PageView(title: "Flow runs", template: "flow-runs", section: "/flow-runs", values: TemplateValues.compact(values)))
    }

    /// One run's page, with the failure of a stop or retry (`problem`), if any.
    static func view(_ page: PageRequest, id: String, problem: APIProblem? = nil) async throws -> PageView {
        let run = try await page.get(EngineRequest.path("flow-runs", id))
        let settings = page.console.settings
        var values = ViewValue.of(run) as? [String: Any] ?? [:]
        let status = run["status"]?.stringValue
        values["statusLabel"] = FlowRunText.label(status)
        values["statusTone"] = FlowRunText.tone(status)
        values["canStop"] = status == "queued" || status == "running"
        values["canRetry"] = status == "failed" || status == "stopped"
        values["running"] = status == "queued" || status == "running"
        values["path"] = settings.url(EngineRequest.path("flow-runs", id))
        for (name, field) in [("queued", "queuedAt"), ("started", "startedAt"), ("finished", "finishedAt")] {
            values[name] = ViewValue.time(run[field]?.stringValue)
        }
        values["duration"] = FlowRunText.duration(from: run["startedAt"]?.stringValue, to: run["finishedAt"]?.stringValue)
        values["inputText"] = run["input"].map { ViewValue.pretty($0) } ?? ""
        values["outputText"] = run["output"].flatMap { $0 == .null ? nil : ViewValue.pretty($0) } ?? ""
        if let message = FlowRunText.error(run["error"]) {
            values["failure"] = ["node": run["error"]?["nodeKey"]?.stringValue ?? "", "message": message]
        }
        links(run, settings: settings, into: &values)
        if let tenant = run["tenantId"]?.stringValue, let customer = try? await page.get(EngineRequest.path("customers", tenant)) {
            values["customerName"] = customer["name"]?.stringValue ?? tenant
        }
        for (name, field) in [("retryOfHref", "retryOf"), ("parentHref", "parentRunId")] {
            if let other = run[field]?.stringValue { values[name] = settings.url(EngineRequest.path("flow-runs", other)) }
        }
        values["nodes"] = FlowRunTimeline.nodes(run["nodeRuns"])
        values["noNodes"] = (run["nodeRuns"]?.arrayValue ?? []).isEmpty
        if let problem { values["actionError"] = problem.sentence }
        let status400 = problem.map { HTTPResponse.Status(code: max(400, min($0.status, 599))) } ?? .ok
        let title = "Flow run " + String(id.prefix(8)) + (run["flowKey"]?.stringValue.map { " of \($0)" } ?? "")
        return PageView(title: title, template: "flow-run", section: "/flow-runs", values: TemplateValues.compact(values), status: status400)
    }

    /// Stops or retries a run: a retry goes to the new run's page.
    static func act(_ page: PageRequest, _ operation: String) async throws -> PageResult {
        let id = page.parameter("id")
        switch try await page.attempt(.post, EngineRequest.path("flow-runs", id, operation)) {
        case .success(let answer): return done(operation, id: id, answer: answer)
        case .failure(let problem): return .view(try await view(page, id: id, problem: problem))
        }
    }

    /// Where a stop or retry that worked goes.
    private static func done(_ operation: String, id: String, answer: JSONValue) -> PageResult {
        if operation == "retry", let newID = answer["id"]?.stringValue {
            return .redirect(EngineRequest.path("flow-runs", newID), notice: "Retry queued: this new run has the same input as run \(id.prefix(8)).")
        }
        let stopped = answer["status"]?.stringValue == "stopped"
        return .redirect(
            EngineRequest.path("flow-runs", id), notice: stopped ? "Stopped." : "Stop requested: the run stops after the node in progress.")
    }

    /// A run's row in a list: its link, short id, status in words and tone, queue time, and
    /// the links to what it mentions.
    static func row(_ item: JSONValue, settings: ConsoleSettings, into values: inout [String: Any]) {
        let id = item["id"]?.stringValue ?? ""
        values["href"] = settings.url(EngineRequest.path("flow-runs", id))
        values["shortId"] = String(id.prefix(8))
        values["statusLabel"] = FlowRunText.label(item["status"]?.stringValue)
        values["statusTone"] = FlowRunText.tone(item["status"]?.stringValue)
        values["queued"] = ViewValue.time(item["queuedAt"]?.stringValue ?? item["createdAt"]?.stringValue)
        links(item, settings: settings, into: &values)
    }

    /// Links to the run's flow, customer and connection.
    static func links(_ run: JSONValue, settings: ConsoleSettings, into values: inout [String: Any]) {
        if let flow = run["flowId"]?.stringValue {
            values["flowHref"] = settings.url(EngineRequest.path("flows", flow))
            values["flowLabel"] = run["flowKey"]?.stringValue ?? flow
        }
        if let tenant = run["tenantId"]?.stringValue { values["customerHref"] = settings.url(EngineRequest.path("customers", tenant)) }
        if let connection = run["connectionId"]?.stringValue {
            values["connectionHref"] = settings.url(EngineRequest.path("connections", connection))
        }
    }
}
