import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardConsole

/// The parameters form read from a `parametersSchema`, and the package problems read from the
/// API's `FILE:LINE: PATH: MESSAGE` lines.
@Suite struct ParameterFormTests {
    static let schema: JSONValue = [
        "type": "object", "required": ["name"],
        "properties": [
            "name": ["type": "string", "title": "Name", "description": "Shown to customers"],
            "apiToken": ["type": "string"],
            "hidden": ["type": "string", "writeOnly": true],
            "masked": ["type": "string", "format": "password"],
            "ratio": ["type": ["number", "null"], "maximum": 1],
            "tags": ["type": "array"],
        ],
    ]

    @Test func fieldsTakeTheirKindLabelAndSecrecyFromTheSchema() {
        let fields = ParameterField.fields(of: Self.schema)
        #expect(fields.map(\.name) == ["apiToken", "hidden", "masked", "name", "ratio", "tags"])
        #expect(fields.filter(\.secret).map(\.name) == ["apiToken", "hidden", "masked"])
        let name = fields[3]
        #expect(name.label == "Name" && name.help == "Shown to customers" && name.required && name.kind == .text)
        #expect(fields[4].kind == .number && fields[5].kind == .json)
        #expect(ParameterField.fields(of: nil).isEmpty && ParameterField.fields(of: ["type": "object"]).isEmpty)
    }

    @Test func aSubmissionKeepsSecretsAndUnlistedParametersAndReportsEachFieldsProblem() {
        let form = ParameterForm(schema: Self.schema)
        let stored: [String: JSONValue] = ["apiToken": "t0k", "name": "old", "other": "kept"]
        let good = form.submit(ConsoleForm(text: "parameter.name=New&parameter.apiToken=&parameter.ratio=0.5&parameter.tags=%5B1%5D"), stored: stored)
        #expect(good.errors.isEmpty)
        #expect(good.parameters == ["apiToken": "t0k", "name": "New", "other": "kept", "ratio": 0.5, "tags": [1]])
        let bad = form.submit(ConsoleForm(text: "parameter.name=&parameter.ratio=2&parameter.tags=%5B1"), stored: stored)
        #expect(bad.errors == ["name": "is required", "ratio": "must be at most 1", "tags": "must be JSON, such as {\"a\": 1} or [1, 2]"])
    }

    @Test func theFormNeverShowsASecretsValue() {
        let form = ParameterForm(schema: Self.schema)
        let values = form.values(stored: ["apiToken": "t0k", "name": "Ada"], submitted: nil, errors: [:])
        #expect(values[0]["type"] as? String == "password" && values[0]["value"] == nil && values[0]["required"] as? Bool == false)
        #expect(values[3]["value"] as? String == "Ada" && values[3]["describedBy"] as? String == "parameter-4-hint")
        let again = form.values(stored: [:], submitted: ConsoleForm(text: "parameter.apiToken=typed&parameter.name=x"), errors: ["name": "bad"])
        #expect(again[0]["value"] == nil && again[3]["value"] as? String == "x")
        #expect(again[3]["describedBy"] as? String == "parameter-4-hint parameter-4-error")
    }

    @Test func packageProblemLinesSplitIntoFileLineAndMessage() {
        #expect(PackageProblems.parse("spec.yml:3: colour: unknown field") == .init(file: "spec.yml", line: "3", message: "colour: unknown field"))
        #expect(PackageProblems.parse("data/x/list.js: file is empty") == .init(file: "data/x/list.js", line: "", message: "file is empty"))
        #expect(PackageProblems.parse("no separator") == .init(file: "", line: "", message: "no separator"))
        let problem = APIProblem(message: "invalid", fields: ["problems": "a.yml:1: x: bad\nb.yml: worse"])
        #expect(PackageProblems.rows(problem).map(\.file) == ["a.yml", "b.yml"])
        let archive = APIProblem(message: "The connector archive was refused: archive entry \"../x\": leaves", fields: ["entry": "../x"])
        #expect(PackageProblems.rows(archive) == [.init(file: "../x", line: "", message: archive.message)])
        let otherKey = APIProblem(message: "spec.yml: key: the package's key is a, but this connector's key is b", fields: ["key": "must be b"])
        let row = PackageProblems.Row(file: "spec.yml", line: "", message: "key: the package's key is a, but this connector's key is b")
        #expect(PackageProblems.rows(otherKey) == [row])
        #expect(PackageProblems.rows(APIProblem(message: "the connector package cannot be read")).isEmpty)
    }
}
