import Foundation
import SwitchyardCore

/// An integration's parameters form, built from its connector's `parametersSchema`: the inputs
/// (``ParameterField``), the parameters a submission makes, and the errors it has, field by field.
///
/// The form posts each field as `parameter.<name>`. A submission starts from the stored
/// parameters (so parameters the schema does not list are kept), sets each field that has a
/// value, unsets each non-secret field left empty, and keeps a secret's stored value when its
/// field is left empty. The result is checked against the schema before it is sent.
struct ParameterForm: Sendable {
    /// The schema (`nil` when the connector declares none).
    let schema: JSONValue?
    /// Its fields.
    let fields: [ParameterField]

    /// The form of a schema.
    init(schema: JSONValue?) {
        self.schema = schema == .null ? nil : schema
        fields = ParameterField.fields(of: self.schema)
    }

    /// The form field name of a parameter.
    static func inputName(_ name: String) -> String { "parameter." + name }

    /// What a submission makes of the stored parameters.
    /// - Returns: The parameters to store, and field name → message for each field refused
    ///   (`""` names a problem with the parameters as a whole).
    func submit(_ form: ConsoleForm, stored: [String: JSONValue]) -> (parameters: [String: JSONValue], errors: [String: String]) {
        var parameters = stored
        var errors: [String: String] = [:]
        for field in fields {
            switch field.value(of: form[Self.inputName(field.name)]) {
            case nil: if !field.secret { parameters[field.name] = nil }
            case .success(let value)?: parameters[field.name] = value
            case .failure(let refusal)?: errors[field.name] = refusal.message
            }
        }
        // The schema's own rules (required, minimum, pattern…); a field already refused keeps its message.
        guard let schema, let compiled = try? JSONSchema(schema) else { return (parameters, errors) }
        let refused = Set(errors.keys)
        for problem in compiled.validate(.object(parameters)) {
            let name = Self.field(of: problem.path)
            let known = fields.contains { $0.name == name }
            guard !refused.contains(name) else { continue }
            let key = known ? name : ""
            let message = known ? problem.message : problem.description
            errors[key] = errors[key].map { $0 + "; " + message } ?? message
        }
        return (parameters, errors)
    }

    /// The top-level property a problem path is in (`a.b[0]` → `a`, `["x y"].z` → `x y`).
    static func field(of path: String) -> String {
        if path.hasPrefix("[\""), let end = path.range(of: "\"]") {
            return String(path[path.index(path.startIndex, offsetBy: 2)..<end.lowerBound])
        }
        return String(path.prefix { $0 != "." && $0 != "[" })
    }

    /// The template values of the inputs.
    /// - Parameters:
    ///   - stored: The stored parameters (secrets are never shown, only whether one is stored).
    ///   - submitted: A refused submission, whose input is shown again (but secrets').
    ///   - errors: Field name → message.
    func values(stored: [String: JSONValue], submitted: ConsoleForm?, errors: [String: String]) -> [[String: Any]] {
        fields.enumerated().map { index, field in
            let id = "parameter-\(index + 1)"
            let hasStored = stored[field.name].map { $0 != .null } ?? false
            var text = submitted.map { $0[Self.inputName(field.name)] } ?? stored[field.name].map(ParameterField.text(of:)) ?? ""
            var values: [String: Any] = ["id": id, "name": Self.inputName(field.name), "label": field.label]
            var hints: [String] = []
            if let help = field.help { hints.append(help) }
            if field.secret {
                text = ""
                hints.append(hasStored ? "A value is stored and never shown. Leave this empty to keep it." : "Secret: no value is stored yet.")
            }
            if let defaultText = field.defaultText, !field.secret { hints.append("Default: \(defaultText)") }
            var described: [String] = []
            if !hints.isEmpty {
                values["hint"] = hints.joined(separator: " ")
                described.append(id + "-hint")
            }
            if let error = errors[field.name] {
                values["error"] = error
                described.append(id + "-error")
            }
            if !described.isEmpty { values["describedBy"] = described.joined(separator: " ") }
            values["required"] = field.required && !(field.secret && hasStored)
            values["requiredMark"] = field.required
            Self.input(field, text: text, into: &values)
            return values
        }
    }

    /// The input's kind and value.
    private static func input(_ field: ParameterField, text: String, into values: inout [String: Any]) {
        switch field.kind {
        case .text, .number, .integer:
            values["input"] = true
            values["type"] = field.secret ? "password" : "text"
            if field.kind != .text { values["inputMode"] = field.kind == .integer ? "numeric" : "decimal" }
        case .boolean:
            values["isSelect"] = true
            values["options"] = options([("", "Not set"), ("true", "Yes"), ("false", "No")], selected: text)
        case .choice(let choices):
            let texts = choices.map(ParameterField.text(of:))
            values["isSelect"] = true
            values["options"] = options([("", "Not set")] + texts.map { ($0, $0) }, selected: text)
        case .json:
            values["textarea"] = true
        }
        if !text.isEmpty { values["value"] = text }
        values["autocomplete"] = field.secret ? "new-password" : "off"
    }

    private static func options(_ pairs: [(String, String)], selected: String) -> [[String: Any]] {
        pairs.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == selected] }
    }
}
