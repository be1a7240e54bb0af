import Foundation
import SwitchyardCore

/// Turns API answers into values the templates read: objects become dictionaries, arrays
/// arrays, numbers text without a needless `.0`, and `null` disappears (so `{{#x}}` skips it).
enum ViewValue {
    /// The template value of a JSON value.
    static func of(_ value: JSONValue) -> Any? {
        switch value {
        case .null: return nil
        case .bool(let flag): return flag
        case .number(let number): return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text): return text
        case .array(let items): return items.compactMap(of)
        case .object(let members):
            var values: [String: Any] = [:]
            for (name, member) in members { values[name] = of(member) }
            return values
        }
    }

    /// A JSON value as indented text, for previews of inputs, outputs and definitions.
    static func pretty(_ value: JSONValue?) -> String {
        guard let value else { return "" }
        guard let data = try? JSONSerialization.data(withJSONObject: foundation(value), options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed])
        else {
            return value.jsonText
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A timestamp in ISO 8601 shown shorter: `2026-12-07 17:21:49` (UTC).
    static func time(_ iso: String?) -> String {
        guard let iso, iso.count >= 19 else { return iso ?? "" }
        return iso.prefix(10) + " " + iso.dropFirst(11).prefix(8)
    }

    private static func foundation(_ value: JSONValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .number(let number): return number.rounded() == number && abs(number) < 1e15 ? Int64(number) as Any : number as Any
        case .string(let text): return text
        case .array(let items): return items.map(foundation)
        case .object(let members): return members.mapValues(foundation)
        }
    }
}
