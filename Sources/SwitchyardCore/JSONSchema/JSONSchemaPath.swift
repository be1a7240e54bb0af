/// A location inside a JSON document (an instance being validated, or a schema being compiled),
/// written the way the rest of Switchyard writes paths: keys joined by dots, array positions in
/// brackets (`items[2].name`), keys that are not plain identifiers quoted in brackets
/// (`headers["content-type"]` stays bare because `-` is plain, `labels["a b"]` does not), and the
/// empty string for the root.
struct JSONSchemaPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// One step: an object member or an array position.
    enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// The steps from the root.
    var components: [Component]

    /// The root.
    static let root = JSONSchemaPath(components: [])

    /// Whether this is the root.
    var isRoot: Bool { components.isEmpty }

    /// This path extended by an object member.
    func appending(_ key: String) -> JSONSchemaPath { JSONSchemaPath(components: components + [.key(key)]) }

    /// This path extended by an array position.
    func appending(_ index: Int) -> JSONSchemaPath { JSONSchemaPath(components: components + [.index(index)]) }

    var description: String {
        var text = ""
        for component in components {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .key(let key):
                if PathKey.isPlain(key) {
                    if !text.isEmpty { text += "." }
                    text += key
                } else {
                    var quoted = ""
                    JSONWriter.writeString(key, into: &quoted)
                    text += "[" + quoted + "]"
                }
            }
        }
        return text
    }

    /// Parents sort before their children; array positions compare numerically (`[2]` before
    /// `[10]`), keys by their text, and positions before keys.
    static func < (lhs: JSONSchemaPath, rhs: JSONSchemaPath) -> Bool {
        for (left, right) in zip(lhs.components, rhs.components) where left != right {
            switch (left, right) {
            case (.index(let a), .index(let b)): return a < b
            case (.key(let a), .key(let b)): return a < b
            case (.index, .key): return true
            case (.key, .index): return false
            }
        }
        return lhs.components.count < rhs.components.count
    }

}
