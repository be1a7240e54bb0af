import Foundation
import HTTPTypes
import SwitchyardCore

/// `<base>/flows`: the workspace's flows (see ``ElementPages``) and one flow's page — its
/// definition in the editor, its nodes as a graph, its instances per customer (enable,
/// disable) and a form that queues a run and goes to it.
enum FlowPages {
    /// Registers the pages.
    static func register(_ pages: PageRoutes) {
        ElementPages.register(pages, .flow) { page, editor in try await detail(page, editor: editor) }
        pages.get("/flows/:id") { page in try await detail(page) }
        pages.post("/flows/:id/run") { page in try await run(page) }
        pages.post("/flows/:id/instances/:instance/enabled") { page in try await setEnabled(page) }
    }

    /// What the run form shows again after a failed run.
    struct RunState {
        /// The input text.
        var input = "{}\n"
        /// The input's format.
        var format = DefinitionFormat.json
        /// The instance or connection chosen (`instance:<id>` or `connection:<id>`).
        var target = ""
        /// Why the run was not queued.
        var error: [String: Any]?
    }

    /// One flow.
    static func detail(_ page: PageRequest, editor: DefinitionEditor? = nil, run: RunState = RunState()) async throws -> PageResult {
        let kind = ElementKind.flow
        let id = page.parameter("id")
        let flow = try await page.get(EngineRequest.path("flows", id))
        let settings = page.console.settings
        let here = settings.url(EngineRequest.path("flows", id))
        let format = DefinitionFormat(named: page.query("format"))
        let content = DefinitionEditor.content(of: flow, fields: kind.fields)
        let shown = editor ?? DefinitionEditor(content: content, format: format, order: kind.fields)
        let name = flow["name"]?.stringValue ?? id
        var values = await ElementPages.facts(flow, kind, page)
        values["editor"] = shown.values(action: here + "/definition", formatLinks: here)
        values["archiveAction"] = here + "/archive"
        values["runAction"] = here + "/run"

        let nodes = FlowGraphLayout.nodes(of: flow["nodes"])
        let layout = FlowGraphLayout(nodes)
        values["graph"] = FlowGraphSVG.render(layout, label: "Graph of flow \(name): \(nodes.count) node\(nodes.count == 1 ? "" : "s")")
        values["nodes"] = layout.boxes.map(\.node).map { node -> [String: Any] in
            var row: [String: Any] = ["key": node.key, "type": node.type, "links": node.links.joined(separator: ", ")]
            row["hasLinks"] = !node.links.isEmpty
            row["nodeName"] = node.name
            return row
        }
        values["hasNodes"] = !nodes.isEmpty

        let instances = try await instanceRows(page, flow: flow, flowID: id)
        values["instances"] = instances
        values["hasInstances"] = !instances.isEmpty
        var targets: [[String: Any]] = instances.map { row in
            let value = "instance:" + (row["id"] as? String ?? "")
            return ["value": value, "label": "Instance \(row["label"] as? String ?? "")", "selected": value == run.target]
        }
        let connections = try await ActionPages.connectionOptions(page, integrationID: flow["integrationId"]?.stringValue, selected: "")
        targets += connections.map { option in
            let value = "connection:" + (option["id"] as? String ?? "")
            return ["value": value, "label": "Connection \(option["name"] as? String ?? "")", "selected": value == run.target]
        }
        values["targets"] = targets
        values["runInput"] = run.input
        values["runYAML"] = run.format == .yaml
        values["runJSON"] = run.format == .json
        if let error = run.error { values["runError"] = error }
        let failed = shown.hasErrors || run.error != nil
        return .view(PageView(title: "Flow " + name, template: "flow", section: kind.path, values: values, status: failed ? .badRequest : .ok))
    }

    /// The flow's instances (the first 100 with its key): customer and connection linked,
    /// enabled or not, with the form that flips it.
    static func instanceRows(_ page: PageRequest, flow: JSONValue, flowID: String) async throws(PageFailure) -> [[String: Any]] {
        guard let key = flow["key"]?.stringValue, flow["layer"]?.stringValue != "instance" else { return [] }
        let settings = page.console.settings
        let answer = try await page.get("/flow-instances", ["flowKey": key, "limit": "100"])
        return (answer["items"]?.arrayValue ?? []).map { item in
            let id = item["id"]?.stringValue ?? ""
            let enabled = item["enabled"] != .bool(false)
            var row: [String: Any] = ["id": id, "enabled": enabled, "state": enabled ? "Enabled" : "Disabled"]
            row["label"] = [item["instanceKey"]?.stringValue, "\(id.prefix(8))"].compactMap { $0 }.joined(separator: " · ")
            row["instanceKey"] = item["instanceKey"]?.stringValue
            if let tenant = item["tenantId"]?.stringValue {
                row["customerId"] = tenant
                row["customerHref"] = settings.url(EngineRequest.path("customers", tenant))
            }
            if let connection = item["connectionId"]?.stringValue {
                row["connectionId"] = connection
                row["connectionHref"] = settings.url(EngineRequest.path("connections", connection))
            }
            row["toggleAction"] = settings.url(EngineRequest.path("flows", flowID, "instances", id, "enabled"))
            row["toggleValue"] = enabled ? "false" : "true"
            row["toggleLabel"] = enabled ? "Disable" : "Enable"
            row["customized"] = item["isCustomized"] == .bool(true)
            return row
        }
    }

    /// Enables or disables an instance.
    static func setEnabled(_ page: PageRequest) async throws -> PageResult {
        let form = try await page.form()
        let enabled = form["enabled"] == "true"
        _ = try await page.change(.patch, EngineRequest.path("flow-instances", page.parameter("instance")), ["enabled": .bool(enabled)])
        return .redirect(EngineRequest.path("flows", page.parameter("id")), notice: enabled ? "Enabled the instance." : "Disabled the instance.")
    }

    /// Queues a run for an instance or a connection and goes to the run's page.
    static func run(_ page: PageRequest) async throws -> PageResult {
        let form = try await page.form()
        var state = RunState(input: form["input"], format: DefinitionFormat(named: form["inputFormat"]), target: form["target"])
        let input: JSONValue
        do throws(DefinitionSyntaxError) {
            let empty = state.input.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            input = empty ? [:] : try DefinitionText.parse(state.input, as: state.format)
        } catch {
            state.error = ["sentence": "The input is not valid: " + error.sentence]
            return try await detail(page, run: state)
        }
        let request: (path: String, body: JSONValue)
        if state.target.hasPrefix("instance:") {
            request = (EngineRequest.path("flow-instances", String(state.target.dropFirst("instance:".count)), "run"), ["input": input])
        } else if state.target.hasPrefix("connection:") {
            let connection = String(state.target.dropFirst("connection:".count))
            request = (EngineRequest.path("flows", page.parameter("id"), "run"), ["input": input, "connectionId": .string(connection)])
        } else {
            state.error = ["sentence": "Choose the instance or connection to run the flow for."]
            return try await detail(page, run: state)
        }
        do throws(PageFailure) {
            let started = try await page.change(.post, request.path, request.body)
            return .redirect(EngineRequest.path("flow-runs", started["id"]?.stringValue ?? ""), notice: "Queued a run of the flow.")
        } catch {
            guard case .problem(let problem) = error else { throw error }
            state.error = ["sentence": "The run was not queued: " + problem.sentence]
            return try await detail(page, run: state)
        }
    }
}
