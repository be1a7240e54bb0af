import Foundation
import Testing

import SwitchyardCore

/// Every example in docs/formulas.md is executed: the documentation cannot drift from the evaluator.
@Suite struct FormulaDocumentationTests {
    /// One ```json block of the document.
    struct Example {
        var line: Int
        var value: JSONValue
    }

    /// The repository root: the first directory above this file that holds docs/formulas.md.
    static func documentURL() throws -> URL {
        var directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("docs/formulas.md")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        throw DocumentMissing()
    }

    struct DocumentMissing: Error {}

    /// The ```json blocks of the document, each parsed.
    static func examples() throws -> [Example] {
        let text = try String(contentsOf: try documentURL(), encoding: .utf8)
        var examples: [Example] = []
        var block: [String]?
        var start = 0
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if block == nil, line.trimmingCharacters(in: .whitespaces) == "```json" {
                block = []
                start = number + 1
            } else if let lines = block, line.trimmingCharacters(in: .whitespaces) == "```" {
                examples.append(Example(line: start, value: try JSONValue.parse(lines.joined(separator: "\n"))))
                block = nil
            } else if block != nil {
                block?.append(String(line))
            }
        }
        #expect(block == nil, "an unterminated ```json block starts at line \(start)")
        return examples
    }

    @Test("Every ```json example in docs/formulas.md gives its documented result or error")
    func documentedExamplesHold() throws {
        let examples = try Self.examples()
        #expect(examples.count >= 20, "docs/formulas.md has \(examples.count) examples")
        for example in examples {
            guard case .object(let fields) = example.value, let formula = fields["formula"] else {
                Issue.record("the example at line \(example.line) has no formula")
                continue
            }
            #expect(Set(fields.keys).isSubset(of: ["formula", "variables", "result", "error"]), "line \(example.line): unknown keys")
            let variables = fields["variables"] ?? .null
            switch (fields["result"], fields["error"]) {
            case (let expected?, nil):
                do {
                    let result = try Formula.evaluate(formula, variables: variables)
                    #expect(result == expected, "line \(example.line): got \(result.jsonText)")
                } catch {
                    Issue.record("line \(example.line): \(error)")
                }
            case (nil, .string(let expected)?):
                do {
                    let result = try Formula.evaluate(formula, variables: variables)
                    Issue.record("line \(example.line): expected an error, got \(result.jsonText)")
                } catch {
                    #expect(error.description.contains(expected), "line \(example.line): \(error)")
                }
            default:
                Issue.record("the example at line \(example.line) needs exactly one of result and error (a string)")
            }
        }
    }

    @Test("The documentation has an example for every operator and every $eval operator")
    func everyOperatorIsDocumented() throws {
        let texts = try Self.examples().map { $0.value["formula"]?.jsonText ?? "" }
        for name in Formula.operatorNames {
            #expect(texts.contains { $0.contains("\"\(name)\":") }, "no example uses \(name)")
        }
        for name in Formula.comparisonOperatorNames {
            #expect(texts.contains { $0.contains("\"\(name)\":") && $0.contains("\"$eval\":") }, "no example uses $eval with \(name)")
        }
    }
}
