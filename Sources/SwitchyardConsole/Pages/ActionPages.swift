import Foundation
import HTTPTypes
import SwitchyardCore

/// `<base>/actions`: the workspace's actions (see ``ElementPages``) and one action's page —
/// its definition in the editor, and a form that runs it with an input for a connection and
/// shows the output or the error.
enum ActionPages {
    /// Registers the pages.
    static func register(_ pages: PageRoutes) {
        ElementPages.register(pages, .action) { page, editor in try await detail(page, editor: editor) }
        pages.get("/actions/:id") { page in try await detail(page) }
        pages.post("/actions/:id/run") { page in try await run(page) }
    }

    /// What a run form shows again: the input as typed, and the outcome.
    struct RunState {
        /// The input text.
        var input = "{}\n"
        /// The input's format.
        var format = DefinitionFormat.json
        /// The connection chosen.
        var connectionID = ""
        /// The outcome's template values (`output`/`logId`, or `error`/`problems`).
        var outcome: [String: Any]?
        /// Whether the outcome is a failure.
        var failed = false
    }

    /// One action.
    static func detail(_ page: PageRequest, editor: DefinitionEditor? = nil, run: RunState = RunState()) async throws -> PageResult {
        let kind = ElementKind.action
        let id = page.parameter("id")
        let action = try await page.get(EngineRequest.path("actions", id))
        let settings = page.console.settings
        let here = settings.url(EngineRequest.path("actions", id))
        let format = DefinitionFormat(named: page.query("format"))
        let content = DefinitionEditor.content(of: action, fields: kind.fields)
        let shown = editor ?? DefinitionEditor(content: content, format: format, order: kind.fields)
        var values = await ElementPages.facts(action, kind, page)
        values["editor"] = shown.values(action: here + "/definition", formatLinks: here)
        values["archiveAction"] = here + "/archive"
        values["runAction"] = here + "/run"
        var connections = try await connectionOptions(page, integrationID: action["integrationId"]?.stringValue, selected: run.connectionID)
        connections.insert(["id": "", "name": "No connection", "selected": run.connectionID.isEmpty], at: 0)
        values["connections"] = connections
        values["runInput"] = run.input
        values["runYAML"] = run.format == .yaml
        values["runJSON"] = run.format == .json
        if let outcome = run.outcome { values[run.failed ? "runError" : "runResult"] = outcome }
        let failed = shown.hasErrors || run.failed
        let title = "Action " + (action["name"]?.stringValue ?? id)
        return .view(PageView(title: title, template: "action", section: kind.path, values: values, status: failed ? .badRequest : .ok))
    }

    /// Connections to offer a run (the integration's, else any; the first 100), as options.
    static func connectionOptions(_ page: PageRequest, integrationID: String?, selected: String) async throws(PageFailure) -> [[String: Any]] {
        let answer = try await page.get("/connections", ["limit": "100", "integrationId": integrationID ?? ""])
        return (answer["items"]?.arrayValue ?? []).map { item in
            let id = item["id"]?.stringValue ?? ""
            let name = item["name"]?.stringValue ?? "connection"
            return ["id": id, "name": "\(name) (\(id.prefix(8)), customer \(item["tenantId"]?.stringValue ?? "none"))", "selected": id == selected]
        }
    }

    /// Runs the action with the posted input and shows the output, or the error, on its page.
    static func run(_ page: PageRequest) async throws -> PageResult {
        let form = try await page.form()
        var state = RunState(input: form["input"], format: DefinitionFormat(named: form["inputFormat"]), connectionID: form["connectionId"])
        let input: JSONValue
        do throws(DefinitionSyntaxError) {
            let empty = state.input.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            input = empty ? .null : try DefinitionText.parse(state.input, as: state.format)
        } catch {
            state.failed = true
            state.outcome = ["sentence": "The input is not valid: " + error.sentence, "hasProblems": false]
            return try await detail(page, run: state)
        }
        var body: [String: JSONValue] = ["input": input]
        if !state.connectionID.isEmpty { body["connectionId"] = .string(state.connectionID) }
        do throws(PageFailure) {
            let answer = try await page.change(.post, EngineRequest.path("actions", page.parameter("id"), "run"), .object(body))
            state.outcome = ["output": JSONText.pretty(answer["output"] ?? .null), "logId": answer["actionRunLogId"]?.stringValue ?? ""]
        } catch {
            guard case .problem(let problem) = error else { throw error }
            state.failed = true
            let problems = problem.fields.keys.sorted().filter { $0 != "actionRunLogId" }.map { path -> [String: Any] in
                ["path": path, "message": problem.fields[path] ?? ""]
            }
            let logID = problem.fields["actionRunLogId"] ?? ""
            state.outcome = ["sentence": "The run failed: " + problem.sentence, "problems": problems, "logId": logID]
            state.outcome?["hasProblems"] = !problems.isEmpty
        }
        return try await detail(page, run: state)
    }
}
