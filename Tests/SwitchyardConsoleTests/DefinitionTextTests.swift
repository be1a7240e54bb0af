import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardConsole

/// Definitions as YAML and JSON text: what is written reads back the same, and a syntax error
/// names its line and column.
@Suite struct DefinitionTextTests {
    static let value: JSONValue = [
        "name": "Sync: <all>", "type": "transform", "count": 3, "ratio": 0.5, "flag": true, "none": .null,
        "tricky": ["123", "true", "null", "- dash", "# hash", "a: b", "", " padded ", "multi\nline\n", "~", "yes", "0x1F", "@at"],
        "nested": ["empty": [:], "list": [], "deep": [["$var": "$.input"]]],
    ]

    @Test(arguments: DefinitionFormat.allCases)
    func whatIsWrittenReadsBackTheSame(_ format: DefinitionFormat) throws {
        let text = DefinitionText.render(Self.value, as: format, order: ["name", "type"])
        #expect(try DefinitionText.parse(text, as: format) == Self.value, "\(text)")
        #expect(text.hasPrefix(format == .yaml ? "name: " : "{\n  \"name\": "), "the ordered keys come first: \(text)")
    }

    @Test func aJSONSyntaxErrorNamesItsLineAndColumn() {
        #expect(throws: DefinitionSyntaxError.self) { try DefinitionText.parse("{\"name\": \"x\",\n  \"type\" 5}", as: .json) }
        do {
            _ = try DefinitionText.parse("{\"name\": \"é\",\n  \"type\" 5}", as: .json)
            Issue.record("a missing colon is not JSON")
        } catch {
            #expect(error.line == 2 && error.column == 10, "\(error)")
            #expect(error.sentence.hasPrefix("Line 2, column 10: invalid JSON"))
        }
    }

    @Test func aYAMLSyntaxErrorNamesItsLine() {
        do {
            _ = try DefinitionText.parse("name: ok\nconfig:\n  output: [1, 2\ntype: x\n", as: .yaml)
            Issue.record("an unclosed list is not YAML")
        } catch {
            #expect(error.line != nil && error.sentence.hasPrefix("Line \(error.line ?? 0)"), "\(error)")
            #expect((3...5).contains(error.line ?? 0), "\(error)")
        }
        #expect(throws: DefinitionSyntaxError.self) { try DefinitionText.parse("a: 1\na: 2\n", as: .yaml) }
    }
}
