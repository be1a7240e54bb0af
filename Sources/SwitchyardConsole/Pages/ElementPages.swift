import Foundation
import HTTPTypes
import SwitchyardCore

/// What the action and flow pages share: the list (filtered by integration and layer), the
/// page that creates one, saving a definition from the editor, and archiving.
enum ElementPages {
    /// Registers the shared routes of a kind (its own page registers the detail).
    static func register(
        _ pages: PageRoutes, _ kind: ElementKind, detail: @escaping @Sendable (PageRequest, DefinitionEditor?) async throws -> PageResult
    ) {
        pages.get(kind.path) { page in try await list(page, kind) }
        pages.get(kind.path + "/new") { page in try await new(page, kind) }
        pages.post(kind.path + "/new") { page in try await create(page, kind) }
        pages.post(kind.path + "/:id/definition") { page in try await save(page, kind, detail: detail) }
        pages.post(kind.path + "/:id/archive") { page in try await archive(page, kind) }
    }

    /// The list.
    static func list(_ page: PageRequest, _ kind: ElementKind) async throws -> PageResult {
        let paging = ListPage(page)
        let integration = page.query("integration"), layer = page.query("layer")
        let answer = try await page.get(kind.path, paging.query(["integrationId": integration, "layer": layer].filter { !$0.value.isEmpty }))
        let integrations = try await integrationOptions(page, selected: integration)
        let names = Dictionary(integrations.map { ($0["id"] as? String ?? "", $0["name"] as? String ?? "") }, uniquingKeysWith: { first, _ in first })
        let settings = page.console.settings
        let items = ListPage.items(answer) { item, values in
            values["href"] = settings.url(EngineRequest.path(String(kind.path.dropFirst()), item["id"]?.stringValue ?? ""))
            if let id = item["integrationId"]?.stringValue {
                values["integrationName"] = names[id] ?? id
                values["integrationHref"] = settings.url(EngineRequest.path("integrations", id))
            }
            let nodes = item["nodes"]?.objectValue?.count
            values["what"] = item["type"]?.stringValue ?? nodes.map { "\($0) node\($0 == 1 ? "" : "s")" } ?? ""
        }
        let layers = ["universal", "integration", "instance"].map { ["value": $0, "selected": $0 == layer] as [String: Any] }
        var values: [String: Any] = [
            "items": items, "empty": items.isEmpty, "integrations": integrations, "layers": layers, "kindPath": kind.path,
            "singular": kind.singular, "plural": kind.plural, "filtered": !integration.isEmpty || !layer.isEmpty || !paging.search.isEmpty,
            "q": paging.search,
        ]
        values["next"] = ListPage.next(answer, path: kind.path, page: page, keep: ["q", "integration", "layer"])
        return .view(PageView(title: kind.plural, template: "elements", section: kind.path, values: values))
    }

    /// The integrations as select options (the first 100), the selected one marked.
    static func integrationOptions(_ page: PageRequest, selected: String) async throws(PageFailure) -> [[String: Any]] {
        let answer = try await page.get("/integrations", ["limit": "100"])
        return (answer["items"]?.arrayValue ?? []).map { item in
            let id = item["id"]?.stringValue ?? ""
            return ["id": id, "name": item["name"]?.stringValue ?? item["key"]?.stringValue ?? id, "selected": id == selected]
        }
    }

    /// The page that creates one.
    static func new(_ page: PageRequest, _ kind: ElementKind) async throws -> PageResult {
        let editor = DefinitionEditor(text: kind.starter, format: .yaml)
        return try await newForm(page, kind, key: "", integration: page.query("integration"), editor: editor, fields: [:])
    }

    private static func newForm(
        _ page: PageRequest, _ kind: ElementKind, key: String, integration: String, editor: DefinitionEditor, fields: [String: String],
        status: HTTPResponse.Status = .ok
    ) async throws -> PageResult {
        let action = page.console.settings.url(kind.path + "/new")
        var values: [String: Any] = [
            "key": key, "integrations": try await integrationOptions(page, selected: integration), "editor": editor.values(action: action),
            "singular": kind.singular, "kindPath": kind.path, "errors": fields.mapValues { $0 as Any },
        ]
        if editor.hasErrors || !fields.isEmpty { values["problem"] = "The \(kind.singular) was not created; see the problems below." }
        return .view(PageView(title: "New \(kind.singular)", template: "element-new", section: kind.path, values: values, status: status))
    }

    /// Creates one from the posted key, integration and definition.
    static func create(_ page: PageRequest, _ kind: ElementKind) async throws -> PageResult {
        let form = try await page.form()
        let key = form["key"].trimmingCharacters(in: .whitespaces), integration = form["integration"]
        var (editor, parsed) = DefinitionEditor.read(form)
        guard case .object(var body)? = parsed else {
            return try await newForm(page, kind, key: key, integration: integration, editor: editor, fields: [:], status: .badRequest)
        }
        body["key"] = key.isEmpty ? body["key"] : .string(key)
        if !integration.isEmpty { body["integrationId"] = .string(integration) }
        do throws(PageFailure) {
            let created = try await page.change(.post, kind.path, .object(body))
            let id = created["id"]?.stringValue ?? ""
            return .redirect(EngineRequest.path(String(kind.path.dropFirst()), id), notice: "Created the \(kind.singular).")
        } catch {
            guard case .problem(let problem) = error else { throw error }
            let placement: Set<String> = ["key", "integrationId"]
            editor.take(problem, except: placement)
            var fields = problem.fields.filter { placement.contains($0.key) }
            if let text = fields.removeValue(forKey: "integrationId") { fields["integration"] = text }
            if editor.problems.isEmpty, editor.message == nil, fields.isEmpty { editor.message = problem.sentence }
            let status = HTTPResponse.Status(code: max(400, min(problem.status, 499)))
            return try await newForm(page, kind, key: key, integration: integration, editor: editor, fields: fields, status: status)
        }
    }

    /// Saves the editor's definition (`PUT`): the API's problems show by path next to the
    /// editor, with the text kept; a syntax error shows its line and nothing is sent.
    static func save(
        _ page: PageRequest, _ kind: ElementKind, detail: @Sendable (PageRequest, DefinitionEditor?) async throws -> PageResult
    ) async throws -> PageResult {
        let form = try await page.form()
        var (editor, parsed) = DefinitionEditor.read(form)
        guard let parsed else { return try await detail(page, editor) }
        let id = page.parameter("id")
        do throws(PageFailure) {
            _ = try await page.change(.put, EngineRequest.path(String(kind.path.dropFirst()), id), parsed)
            return .redirect(EngineRequest.path(String(kind.path.dropFirst()), id) + "?format=\(editor.format.rawValue)", notice: "Saved.")
        } catch {
            guard case .problem(let problem) = error, problem.status < 500 && problem.status != 404 else { throw error }
            editor.take(problem)
            return try await detail(page, editor)
        }
    }

    /// Archives one (and what is below it).
    static func archive(_ page: PageRequest, _ kind: ElementKind) async throws -> PageResult {
        _ = try await page.change(.delete, EngineRequest.path(String(kind.path.dropFirst()), page.parameter("id")))
        return .redirect(kind.path, notice: "Archived the \(kind.singular).")
    }

    /// The facts every element shows: key, layer, integration (linked, by name when it can be
    /// read), parent (linked).
    static func facts(_ element: JSONValue, _ kind: ElementKind, _ page: PageRequest) async -> [String: Any] {
        let settings = page.console.settings
        var values = ViewValue.of(element) as? [String: Any] ?? [:]
        if let id = element["integrationId"]?.stringValue {
            values["integrationHref"] = settings.url(EngineRequest.path("integrations", id))
            let integration = try? await page.get(EngineRequest.path("integrations", id))
            values["integrationName"] = integration?["name"]?.stringValue ?? id
        }
        if let id = element["parentId"]?.stringValue { values["parentHref"] = settings.url(EngineRequest.path(String(kind.path.dropFirst()), id)) }
        if let id = element["connectionId"]?.stringValue { values["connectionHref"] = settings.url(EngineRequest.path("connections", id)) }
        values["customized"] = element["isCustomized"] == .bool(true) ? "yes" : "no"
        values["updated"] = ViewValue.time(element["updatedAt"]?.stringValue)
        return values
    }
}
