import SwitchyardCore

/// A parsed YAML (or JSON) value that remembers where it stood in its file, so a validation
/// problem can name the line and column of the field at fault.
struct SourceNode: Sendable, Hashable {
    /// The shape of a node.
    indirect enum Kind: Sendable, Hashable {
        /// A scalar, already resolved to its JSON value (string, number, bool or null).
        case scalar(JSONValue)
        /// A mapping, in file order; keys are the scalar text of each key.
        case mapping([Member])
        /// A sequence.
        case sequence([SourceNode])
    }

    /// One key of a mapping with the position of the key itself.
    struct Member: Sendable, Hashable {
        var key: String
        var keyLine: Int
        var keyColumn: Int
        var value: SourceNode
    }

    var kind: Kind
    /// Line number starting from 1.
    var line: Int
    /// Column number starting from 1.
    var column: Int

    /// The value as plain JSON.
    var json: JSONValue {
        switch kind {
        case .scalar(let value): return value
        case .sequence(let items): return .array(items.map(\.json))
        case .mapping(let members):
            var object: [String: JSONValue] = [:]
            for member in members { object[member.key] = member.value.json }
            return .object(object)
        }
    }

    /// The members when this is a mapping.
    var members: [Member]? {
        if case .mapping(let members) = kind { return members }
        return nil
    }

    /// The member named `key`, when this is a mapping that has it.
    func member(_ key: String) -> Member? {
        members?.first { $0.key == key }
    }

    /// The string when this is a string scalar.
    var string: String? {
        if case .scalar(.string(let value)) = kind { return value }
        return nil
    }

    /// The bool when this is a bool scalar.
    var bool: Bool? {
        if case .scalar(.bool(let value)) = kind { return value }
        return nil
    }

    /// A short name of the node's type, for messages such as "must be a string, not a number".
    var typeName: String {
        switch kind {
        case .scalar(.null): return "null"
        case .scalar(.bool): return "a boolean"
        case .scalar(.number): return "a number"
        case .scalar(.string): return "a string"
        case .scalar: return "a value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}
