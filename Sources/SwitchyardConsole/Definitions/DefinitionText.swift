import Foundation
import SwitchyardCore
import Yams

/// The text formats an element's definition is edited in.
enum DefinitionFormat: String, Sendable, CaseIterable {
    /// YAML (block style).
    case yaml
    /// JSON (indented).
    case json

    /// The format a form or query names; YAML when it names none.
    init(named name: String) {
        self = name.lowercased() == "json" ? .json : .yaml
    }
}

/// Why definition text could not be read: the parser's message and, when it knows, the line and
/// column (both from 1).
struct DefinitionSyntaxError: Error, Sendable, Equatable {
    /// What is wrong.
    var message: String
    /// The line, from 1.
    var line: Int?
    /// The column, from 1.
    var column: Int?

    /// The error as a sentence naming its place: `Line 3, column 7: …`.
    var sentence: String {
        guard let line else { return message }
        return "Line \(line)\(column.map { ", column \($0)" } ?? ""): \(message)"
    }
}

/// Reads and writes element definitions (and run inputs) as YAML or JSON text.
enum DefinitionText {
    /// How many YAML nodes a text may hold once aliases are expanded.
    static let maxNodes = 100_000

    /// Parses text in a format.
    /// - Throws: ``DefinitionSyntaxError`` naming the line and column of the first problem.
    static func parse(_ text: String, as format: DefinitionFormat) throws(DefinitionSyntaxError) -> JSONValue {
        switch format {
        case .json: return try parseJSON(text)
        case .yaml: return try parseYAML(text)
        }
    }

    /// The value as text in a format: keys in `order` first (top level), the rest sorted.
    static func render(_ value: JSONValue, as format: DefinitionFormat, order: [String] = []) -> String {
        switch format {
        case .json: return JSONText.pretty(value, order: order)
        case .yaml:
            let node = yamlNode(value, order: order)
            let text = (try? Yams.serialize(node: node, indent: 2, width: -1, allowUnicode: true)) ?? ""
            return text == "{}\n" && value == .null ? "" : text
        }
    }

    private static func parseJSON(_ text: String) throws(DefinitionSyntaxError) -> JSONValue {
        do {
            return try JSONValue.parseLocating(text)
        } catch {
            let (line, column) = place(ofByte: error.offset, in: text)
            throw DefinitionSyntaxError(message: "invalid JSON: \(error.reason)", line: line, column: column)
        }
    }

    /// The line and column (from 1, in characters) of a UTF-8 byte offset.
    static func place(ofByte offset: Int, in text: String) -> (line: Int, column: Int) {
        let bytes = Array(text.utf8.prefix(offset))
        let newline = UInt8(ascii: "\n")
        let line = bytes.reduce(1) { $1 == newline ? $0 + 1 : $0 }
        let start = (bytes.lastIndex(of: newline).map { $0 + 1 }) ?? 0
        let column = String(decoding: bytes[start...], as: UTF8.self).count + 1
        return (line, column)
    }

    private static func parseYAML(_ text: String) throws(DefinitionSyntaxError) -> JSONValue {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw failure(error)
        } catch {
            throw DefinitionSyntaxError(message: "invalid YAML")
        }
        guard let root else { return .null }
        var budget = maxNodes
        return try value(of: root, budget: &budget)
    }

    private static func failure(_ error: YamlError) -> DefinitionSyntaxError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return DefinitionSyntaxError(message: "invalid YAML: \(problem)", line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return DefinitionSyntaxError(
                message: "invalid YAML: duplicate key \(duplicates.joined(separator: ", "))", line: context.mark.line, column: context.mark.column)
        case .reader(let problem, _, _, _):
            return DefinitionSyntaxError(message: "invalid YAML: \(problem)")
        default:
            return DefinitionSyntaxError(message: "invalid YAML")
        }
    }

    private static func value(of node: Node, budget: inout Int) throws(DefinitionSyntaxError) -> JSONValue {
        budget -= 1
        guard budget >= 0 else {
            throw DefinitionSyntaxError(message: "the YAML is too large once aliases are expanded", line: node.mark?.line, column: node.mark?.column)
        }
        switch node {
        case .scalar(let scalar):
            let tag = node.tag.rawValue
            if tag == Tag.Name.null.rawValue { return .null }
            if tag == Tag.Name.bool.rawValue, let flag = node.bool { return .bool(flag) }
            if tag == Tag.Name.int.rawValue, let number = node.int { return .number(Double(number)) }
            if tag == Tag.Name.float.rawValue, let number = node.float, number.isFinite { return .number(number) }
            return .string(scalar.string)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for item in sequence { items.append(try value(of: item, budget: &budget)) }
            return .array(items)
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, item) in mapping {
                guard case .scalar(let name) = key else {
                    throw DefinitionSyntaxError(message: "invalid YAML: a key must be plain text", line: key.mark?.line, column: key.mark?.column)
                }
                members[name.string] = try value(of: item, budget: &budget)
            }
            return .object(members)
        case .alias:
            throw DefinitionSyntaxError(message: "invalid YAML: unresolved alias", line: node.mark?.line, column: node.mark?.column)
        }
    }

    private static func yamlNode(_ value: JSONValue, order: [String]) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null), .plain)
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool), .plain)
        case .number(let number): return Node(JSONText.number(number), Tag(number.rounded() == number ? .int : .float), .plain)
        case .string(let text): return string(text)
        case .array(let items): return Node(items.map { yamlNode($0, order: []) }, Tag(.seq), .block)
        case .object(let members):
            let pairs = JSONText.ordered(members.keys, order).map { key in (string(key), yamlNode(members[key] ?? .null, order: [])) }
            return Node(pairs, Tag(.map), .block)
        }
    }

    /// A string scalar that reads back as the same string: plain when YAML would read it as
    /// text, a literal block for several lines, quoted otherwise.
    private static func string(_ text: String) -> Node {
        if text.contains("\n") { return Node(text, Tag(.str), .literal) }
        let plain = Node(text, Tag(.implicit), .plain)
        let safe = !text.isEmpty && Resolver.default.resolveTag(of: plain) == .str
            && text.first.map { !"!&*?|>'\"%@`#,[]{}-: ".contains($0) } == true
            && !text.contains(": ") && !text.contains(" #") && text.last != " " && text.last != ":"
        return Node(text, Tag(.str), safe ? .plain : .doubleQuoted)
    }
}
