import Foundation
import SwitchyardCore
import Yams

/// Turns the text of a YAML file into a ``SourceNode`` tree, keeping line numbers.
enum YAMLSource {
    /// Why a file could not be turned into a tree.
    struct Failure: Error, Sendable, Equatable {
        var message: String
        var line: Int?
        var column: Int?
    }

    /// Decodes file bytes as UTF-8 text, dropping a leading byte order mark.
    /// - Returns: The text, or a failure naming the line of the first byte that is not UTF-8.
    static func text(of data: Data) -> Result<String, Failure> {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) {
            return .success(text)
        }
        // Name the line of the first byte that does not decode.
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var line = 1
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" { line += 1 }
            case .emptyInput, .error:
                break loop
            }
        }
        return .failure(Failure(message: "file is not valid UTF-8 text", line: line, column: nil))
    }

    /// Parses one YAML document.
    /// - Parameters:
    ///   - text: The YAML text.
    ///   - maxNodes: How many nodes the tree may hold once aliases are expanded (stops alias bombs).
    /// - Returns: The root node; an empty document gives a null scalar at line 1.
    static func parse(_ text: String, maxNodes: Int) -> Result<SourceNode, Failure> {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            return .failure(failure(from: error))
        } catch {
            return .failure(Failure(message: "invalid YAML", line: nil, column: nil))
        }
        guard let root else { return .success(SourceNode(kind: .scalar(.null), line: 1, column: 1)) }
        var budget = maxNodes
        return convert(root, budget: &budget)
    }

    private static func failure(from error: YamlError) -> Failure {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return Failure(message: "invalid YAML: \(problem)", line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.joined(separator: ", ")
            return Failure(
                message: "invalid YAML: duplicate key \(names)", line: context.mark.line, column: context.mark.column)
        case .reader(let problem, _, _, _):
            return Failure(message: "invalid YAML: \(problem)", line: nil, column: nil)
        default:
            return Failure(message: "invalid YAML", line: nil, column: nil)
        }
    }

    private static func convert(_ node: Node, budget: inout Int) -> Result<SourceNode, Failure> {
        budget -= 1
        let line = node.mark?.line ?? 1
        let column = node.mark?.column ?? 1
        if budget < 0 {
            return .failure(
                Failure(
                    message: "YAML document is too large once aliases are expanded", line: line,
                    column: column))
        }
        switch node {
        case .scalar(let scalar):
            return .success(SourceNode(kind: .scalar(value(of: scalar, node: node)), line: line, column: column))
        case .sequence(let sequence):
            var items: [SourceNode] = []
            for item in sequence {
                switch convert(item, budget: &budget) {
                case .success(let converted): items.append(converted)
                case .failure(let failure): return .failure(failure)
                }
            }
            return .success(SourceNode(kind: .sequence(items), line: line, column: column))
        case .mapping(let mapping):
            var members: [SourceNode.Member] = []
            for (key, value) in mapping {
                let keyLine = key.mark?.line ?? line
                let keyColumn = key.mark?.column ?? column
                guard case .scalar(let keyScalar) = key else {
                    return .failure(
                        Failure(
                            message: "invalid YAML: mapping keys must be plain strings", line: keyLine,
                            column: keyColumn))
                }
                switch convert(value, budget: &budget) {
                case .success(let converted):
                    members.append(
                        SourceNode.Member(
                            key: keyScalar.string, keyLine: keyLine, keyColumn: keyColumn, value: converted))
                case .failure(let failure): return .failure(failure)
                }
            }
            return .success(SourceNode(kind: .mapping(members), line: line, column: column))
        case .alias:
            return .failure(
                Failure(message: "invalid YAML: unresolved alias", line: line, column: column))
        }
    }

    private static func value(of scalar: Node.Scalar, node: Node) -> JSONValue {
        let tag = node.tag.rawValue
        if tag == Tag.Name.null.rawValue { return .null }
        if tag == Tag.Name.bool.rawValue, let value = node.bool { return .bool(value) }
        if tag == Tag.Name.int.rawValue, let value = node.int { return .number(Double(value)) }
        if tag == Tag.Name.float.rawValue, let value = node.float, value.isFinite { return .number(value) }
        return .string(scalar.string)
    }
}
