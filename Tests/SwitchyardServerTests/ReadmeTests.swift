import Foundation
import Testing

@testable import SwitchyardServer

@Suite struct ReadmeTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func readmeDocumentsEveryConfigurationVariable() throws {
        let readme = try String(contentsOf: Self.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let missing = ConfigurationCatalogue.variables.map(\.name).filter { !readme.contains("`\($0)`") }
        #expect(missing.isEmpty, "README.md does not document: \(missing.joined(separator: ", "))")
    }

    @Test func ciRunsExactlyTheReadmeTestCommand() throws {
        let readme = try String(contentsOf: Self.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let ci = try String(contentsOf: Self.packageRoot.appendingPathComponent(".ci/run"), encoding: .utf8)
        #expect(readme.contains("scripts/test"))
        #expect(ci.contains("exec scripts/test"))
        #expect(readme.contains("scripts/serve"))
        let serve = try String(contentsOf: Self.packageRoot.appendingPathComponent("scripts/serve"), encoding: .utf8)
        #expect(serve.contains("exec swift run switchyard serve"))
    }
}
