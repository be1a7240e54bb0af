import NIOHTTP1
import SwitchyardCore

/// How JSON values become parts of an HTTP request, the same for mappings, actions and
/// JavaScript's `externalApiClient`: a string as it is, anything else as JSON text; `null`
/// members are left out.
enum RequestParts {
    /// The text of a value in a query, header or path.
    static func text(_ value: JSONValue) -> String {
        value.stringValue ?? value.jsonText
    }

    /// `name=value&…` of an object's members, sorted by name and percent-encoded.
    static func query(_ items: [String: JSONValue]) -> String {
        PercentEncoding.query(items.sorted { $0.key < $1.key }.filter { $0.value != .null }.map { ($0.key, text($0.value)) })
    }

    /// Sets an object's members as headers (replacing any of the same name).
    static func setHeaders(_ items: [String: JSONValue], on headers: inout HTTPHeaders) {
        for (name, value) in items where value != .null { headers.replaceOrAdd(name: name, value: text(value)) }
    }
}
