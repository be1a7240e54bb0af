/// The string form of a value, as `$tpl` and `$concat` insert it.
enum FormulaText {
    /// `null` is empty; booleans are `true`/`false`; whole numbers below 2^53 have no fraction
    /// (`1`, not `1.0`), other numbers are written the shortest way that reads back the same
    /// (`1.5`, `1e+21`); strings are themselves; lists and objects are compact JSON with sorted keys.
    static func string(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number):
            guard number.isFinite else { return "" }
            var output = ""
            JSONWriter.writeNumber(number, into: &output)
            return output
        case .string(let text): return text
        case .array, .object: return value.jsonText
        }
    }

    /// A short name of the value's type for messages (`a number`, `a list`).
    static func kind(_ value: JSONValue) -> String { value.typeDescription }
}
