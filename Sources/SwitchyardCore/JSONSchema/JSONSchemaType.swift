/// A JSON Schema type name, as the `type` keyword lists them.
enum JSONSchemaType: String, Sendable, CaseIterable {
    case array, boolean, integer, null, number, object, string

    /// Whether `value` is of this type. `integer` is a number with no fractional part (so `1.0`
    /// is an integer, as JSON Schema says).
    func matches(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.array, .array), (.boolean, .bool), (.null, .null), (.number, .number), (.object, .object), (.string, .string):
            true
        case (.integer, .number(let number)):
            number.isFinite && number == number.rounded()
        default:
            false
        }
    }

    /// The type with its article, for messages ("an integer", "null").
    var phrase: String {
        switch self {
        case .array: "an array"
        case .boolean: "a boolean"
        case .integer: "an integer"
        case .null: "null"
        case .number: "a number"
        case .object: "an object"
        case .string: "a string"
        }
    }

    /// "a string", "a string or null", "a string, a number or null".
    static func phrase(_ types: [JSONSchemaType]) -> String {
        let phrases = types.map(\.phrase)
        guard phrases.count > 1 else { return phrases.first ?? "" }
        return phrases.dropLast().joined(separator: ", ") + " or " + phrases[phrases.count - 1]
    }
}
