import Foundation
import SwitchyardCore

/// One input of an integration's parameters form, read from a property of the connector's
/// `parametersSchema` (a JSON Schema object).
///
/// A property is a **secret** when its schema says `format: password` or `writeOnly: true`, or
/// when its name contains `key`, `secret`, `password` or `token` (the rule of the connect form's
/// inputs). A secret is write-only: the form never shows its value, and an empty secret field
/// keeps the stored value.
struct ParameterField: Sendable, Equatable {
    /// How the field is entered.
    enum Kind: Sendable, Equatable {
        /// A text input.
        case text
        /// A number (`number`).
        case number
        /// A whole number (`integer`).
        case integer
        /// Yes, no or not set (`boolean`).
        case boolean
        /// One of the schema's `enum` values.
        case choice([JSONValue])
        /// Any other type (object, array): JSON text.
        case json
    }

    /// The property's name (the parameter's key).
    var name: String
    /// The label: the schema's `title`, else the name.
    var label: String
    /// The schema's `description`, if any.
    var help: String?
    /// How it is entered.
    var kind: Kind
    /// Whether the schema's `required` lists it.
    var required: Bool
    /// Whether it is a secret (write-only, masked).
    var secret: Bool
    /// The schema's `default`, if any, as text.
    var defaultText: String?

    /// The fields of a `parametersSchema`, in the order of the property names; none when the
    /// schema has no `properties`.
    static func fields(of schema: JSONValue?) -> [ParameterField] {
        guard case .object(let properties)? = schema?["properties"] else { return [] }
        let required = Set((schema?["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        return properties.keys.sorted().map { name in
            let property = properties[name] ?? .null
            let lowered = name.lowercased()
            let secret = property["format"] == "password" || property["writeOnly"] == .bool(true)
                || ["key", "secret", "password", "token"].contains { lowered.contains($0) }
            let description = property["description"]?.stringValue
            return ParameterField(
                name: name, label: property["title"]?.stringValue ?? name, help: description?.isEmpty == false ? description : nil,
                kind: kind(of: property), required: required.contains(name), secret: secret,
                defaultText: property["default"].flatMap { $0 == .null ? nil : text(of: $0) })
        }
    }

    /// The kind of a property's schema: its `enum`, else its `type` (the first that is not
    /// `null` when it lists several).
    static func kind(of property: JSONValue) -> Kind {
        if let values = property["enum"]?.arrayValue, !values.isEmpty { return .choice(values) }
        var type = property["type"]?.stringValue
        if let types = property["type"]?.arrayValue { type = types.compactMap(\.stringValue).first { $0 != "null" } }
        switch type {
        case "string"?, nil: return property["type"] == nil && property["properties"] != nil ? .json : .text
        case "number"?: return .number
        case "integer"?: return .integer
        case "boolean"?: return .boolean
        default: return .json
        }
    }

    /// A stored value as the form shows it: a string as it is, other values as JSON.
    static func text(of value: JSONValue) -> String {
        if case .string(let string) = value { return string }
        if case .number = value, let shown = ViewValue.of(value) as? String { return shown }
        return value.jsonText
    }

    /// The value of the field's text, or why it is not one.
    /// - Returns: `nil` for empty text (not set).
    func value(of text: String) -> Result<JSONValue, FieldRefusal>? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        switch kind {
        case .text:
            return .success(.string(text))
        case .number:
            guard let number = Double(trimmed), number.isFinite else { return .failure(FieldRefusal("must be a number, such as 2.5")) }
            return .success(.number(number))
        case .integer:
            guard let number = Int64(trimmed) else { return .failure(FieldRefusal("must be a whole number, such as 42")) }
            return .success(.number(Double(number)))
        case .boolean:
            switch trimmed {
            case "true": return .success(.bool(true))
            case "false": return .success(.bool(false))
            default: return .failure(FieldRefusal("must be yes or no"))
            }
        case .choice(let values):
            guard let value = values.first(where: { Self.text(of: $0) == text }) else {
                return .failure(FieldRefusal("must be one of " + values.map { Self.text(of: $0) }.joined(separator: ", ")))
            }
            return .success(value)
        case .json:
            guard let value = try? JSONValue.parse(trimmed) else { return .failure(FieldRefusal("must be JSON, such as {\"a\": 1} or [1, 2]")) }
            return .success(value)
        }
    }
}

/// Why a field's text was refused.
struct FieldRefusal: Error, Sendable, Equatable {
    /// What is wrong, to show next to the field.
    var message: String

    /// Creates a refusal.
    init(_ message: String) {
        self.message = message
    }
}
