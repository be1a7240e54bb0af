import SwitchyardCore

/// JSON text for people: indented two spaces, keys in a chosen order then sorted, numbers
/// without a needless `.0`, slashes unescaped.
enum JSONText {
    /// The value as indented JSON text.
    static func pretty(_ value: JSONValue, order: [String] = []) -> String {
        var output = ""
        write(value, order: order, indent: "", into: &output)
        return output + "\n"
    }

    /// A number as JSON writes it: whole numbers without a fraction.
    static func number(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    /// Keys with those of `order` first (in that order), then the rest sorted.
    static func ordered(_ keys: Dictionary<String, JSONValue>.Keys, _ order: [String]) -> [String] {
        let first = order.filter { keys.contains($0) }
        return first + keys.filter { !order.contains($0) }.sorted()
    }

    private static func write(_ value: JSONValue, order: [String], indent: String, into output: inout String) {
        let inner = indent + "  "
        switch value {
        case .null, .bool, .string: output += value.jsonText
        case .number(let number): output += number.isFinite ? self.number(number) : "null"
        case .array(let items):
            guard !items.isEmpty else {
                output += "[]"
                return
            }
            output += "[\n"
            for (index, item) in items.enumerated() {
                output += inner
                write(item, order: [], indent: inner, into: &output)
                output += index == items.count - 1 ? "\n" : ",\n"
            }
            output += indent + "]"
        case .object(let members):
            guard !members.isEmpty else {
                output += "{}"
                return
            }
            output += "{\n"
            let keys = ordered(members.keys, order)
            for (index, key) in keys.enumerated() {
                output += inner + JSONValue.string(key).jsonText + ": "
                write(members[key] ?? .null, order: [], indent: inner, into: &output)
                output += index == keys.count - 1 ? "\n" : ",\n"
            }
            output += indent + "}"
        }
    }
}
