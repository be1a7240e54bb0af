import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardConnectors

@Suite("Packing and round trips")
struct RoundTripTests {
    static var exampleFolder: URL {
        Fixture.repositoryRoot.appendingPathComponent("examples/connectors/tasks-oauth2")
    }

    @Test("pack, then read, gives the same package")
    func roundTrip() throws {
        let original = try ConnectorPackageReader.read(folder: Self.exampleFolder)
        let archive = original.archive
        let again = try ConnectorPackageReader.read(zip: archive)
        #expect(again == original)
        #expect(again.json == original.json)
    }

    @Test("packing is deterministic and compresses text")
    func deterministic() throws {
        let files = try ConnectorArchive.files(inFolder: Self.exampleFolder)
        let first = ConnectorArchive.pack(files)
        let second = ConnectorArchive.pack(Dictionary(uniqueKeysWithValues: files.reversed()))
        #expect(first == second)
        #expect(first.count < files.values.reduce(0) { $0 + $1.count } + 100 * files.count)
    }

    @Test("the deflater and inflater agree on varied content")
    func deflateInflate() throws {
        var generator = SystemRandomNumberGenerator()
        let samples: [[UInt8]] = [
            [], [1], Array("abcabcabcabcabc".utf8), (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) },
            (0..<100_000).map { UInt8(truncatingIfNeeded: $0 % 251) }, Array(String(repeating: "spec: yml\n", count: 9_000).utf8),
        ]
        for sample in samples {
            #expect(try Inflater.inflate(Deflater.deflate(sample), limit: sample.count) == sample)
        }
    }

    @Test("the JSON form names spec fields, auth, operations, collections and files")
    func json() throws {
        let package = try ConnectorPackageReader.read(folder: Self.exampleFolder)
        let json = package.json
        #expect(json["key"] == "tasks-oauth2")
        #expect(json["auth"]?["type"] == "oauth2")
        #expect(json["auth"]?["makeApiClient"]?["file"] == "makeApiClient.map.yml")
        #expect(json["dataCollections"] == .array([try #require(package.dataCollections.first).json]))
        #expect(json["dataCollections"].map { "\($0)".contains("findById.api.yml") } == true)
        guard case .array(let files)? = json["files"] else {
            Issue.record("files missing")
            return
        }
        #expect(files.count == package.files.count)
    }
}

@Suite("Example connectors")
struct ExampleConnectorTests {
    @Test("every folder under examples/connectors validates, and there are at least three")
    func examplesValidate() throws {
        let root = Fixture.repositoryRoot.appendingPathComponent("examples/connectors")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(names.count >= 3)
        var types: Set<String> = []
        for name in names {
            do {
                let package = try ConnectorPackageReader.read(folder: root.appendingPathComponent(name))
                #expect(package.spec.key == name)
                package.functions.values.forEach { types.insert($0.type.rawValue) }
            } catch let error as ConnectorValidationError {
                Issue.record("\(name):\n\(error)")
            }
        }
        #expect(types == ["mapping", "rest-api-mapping", "javascript"])
    }
}
