import SwitchyardCore

/// The definition editor the action and flow pages share (`Templates/definition-editor.mustache`):
/// a textarea with the definition as YAML or JSON, the format it is written in, and what is
/// wrong with it — a syntax error with its line and column, or the API's problems by path —
/// with the user's text kept.
struct DefinitionEditor: Sendable {
    /// The text in the textarea.
    var text: String
    /// The format the text is in.
    var format: DefinitionFormat
    /// Path → what is wrong there (from the API's error `data`).
    var problems: [String: String] = [:]
    /// The text's syntax error, if it has one.
    var syntax: DefinitionSyntaxError?
    /// The API's message when it named no path.
    var message: String?

    /// An editor showing a stored definition.
    init(content: JSONValue, format: DefinitionFormat, order: [String]) {
        text = DefinitionText.render(content, as: format, order: order)
        self.format = format
    }

    /// An editor showing posted text as it came.
    init(text: String, format: DefinitionFormat) {
        self.text = text
        self.format = format
    }

    /// The posted editor (`definition`, `format`) read as an object.
    /// - Returns: The editor (to show again if the save fails) and the parsed object, or `nil`
    ///   with the editor's ``syntax`` set when the text is not a YAML or JSON object.
    static func read(_ form: ConsoleForm) -> (DefinitionEditor, JSONValue?) {
        var editor = DefinitionEditor(text: form["definition"], format: DefinitionFormat(named: form["format"]))
        do throws(DefinitionSyntaxError) {
            let value = try DefinitionText.parse(editor.text, as: editor.format)
            guard case .object = value else {
                let shape = editor.format == .yaml ? "mapping" : "JSON object"
                editor.syntax = DefinitionSyntaxError(message: "the definition must be a \(shape) of fields")
                return (editor, nil)
            }
            return (editor, value)
        } catch {
            editor.syntax = error
            return (editor, nil)
        }
    }

    /// The content fields of an element the API answered, for editing.
    static func content(of element: JSONValue, fields: [String]) -> JSONValue {
        guard case .object(let members) = element else { return [:] }
        return .object(members.filter { fields.contains($0.key) })
    }

    /// Takes an API problem: its paths go next to the editor; a message without paths too.
    mutating func take(_ problem: APIProblem, except: Set<String> = []) {
        problems = problem.fields.filter { !except.contains($0.key) }
        if problems.isEmpty { message = problem.sentence }
    }

    /// Whether there is something wrong to show.
    var hasErrors: Bool { syntax != nil || !problems.isEmpty || message != nil }

    /// The template values (`editor` in the page's values).
    /// - Parameters:
    ///   - action: Where the form posts (a console URL).
    ///   - formatLinks: The page URL without query, for “show as YAML/JSON” links (`nil`: none).
    func values(action: String, formatLinks: String? = nil) -> [String: Any] {
        var values: [String: Any] = [
            "action": action, "text": text, "yaml": format == .yaml, "json": format == .json, "hasErrors": hasErrors,
            "problems": problems.keys.sorted().map { path -> [String: Any] in ["path": path, "message": problems[path] ?? ""] },
            "hasProblems": !problems.isEmpty,
        ]
        if let syntax { values["syntax"] = ["sentence": syntax.sentence] }
        if let message { values["message"] = message }
        if let formatLinks { values["links"] = ["yamlHref": formatLinks + "?format=yaml", "jsonHref": formatLinks + "?format=json"] }
        return values
    }
}
