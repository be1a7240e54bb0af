import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardConnectors

@Suite("Archive safety")
struct ArchiveSafetyTests {
    @Test("an entry named ../evil is refused as path traversal, naming the entry")
    func traversal() {
        let error = archiveError(TestZip.build([.init("spec.yml", Fixture.spec), .init("../evil", "x")]))
        #expect(error?.reason == .unsafePath)
        #expect(error?.description == "archive entry \"../evil\": path leaves the package folder (\"..\")")
        let nested = archiveError(TestZip.build([.init("operations/../../evil", "x")]))
        #expect(nested?.entry == "operations/../../evil")
    }

    @Test("absolute paths, backslashes, drive letters and empty components are refused")
    func unsafePaths() {
        let cases: [(String, String)] = [
            ("/etc/passwd", "absolute paths are not allowed"),
            ("operations\\x\\spec.yml", "backslashes are not allowed in paths"),
            ("C:/evil.yml", "drive letters are not allowed in paths"),
            ("a//b.yml", "path is not normalized (empty or \".\" component)"),
            ("./spec.yml", "path is not normalized (empty or \".\" component)"),
        ]
        for (name, message) in cases {
            let error = archiveError(TestZip.build([.init(name, "x")]))
            #expect(error?.reason == .unsafePath, "\(name)")
            #expect(error?.message == message, "\(name)")
            #expect(error?.entry == name)
        }
    }

    @Test("a symlink entry (Unix mode in the external attributes) is refused")
    func symlink() {
        var link = TestZip.Entry("spec.yml", "/etc/passwd")
        link.externalAttributes = 0o120777 << 16
        let error = archiveError(TestZip.build([link]))
        #expect(error?.reason == .unsupportedEntryType)
        #expect(error?.description == "archive entry \"spec.yml\": symbolic links are not allowed")
    }

    @Test("a FIFO or device entry is refused as not a regular file or folder")
    func specialFile() {
        var fifo = TestZip.Entry("pipe", "")
        fifo.externalAttributes = 0o010644 << 16
        let error = archiveError(TestZip.build([fifo]))
        #expect(error?.reason == .unsupportedEntryType)
        #expect(error?.message == "not a regular file or folder (mode 10644)")
        // Permission bits without a type (as Python's zipfile writes them) are a plain file.
        var plain = TestZip.Entry("spec.yml", "key: k\nname: K\n")
        plain.externalAttributes = 0o600 << 16
        #expect(archiveError(TestZip.build([plain])) == nil)
    }

    @Test("more entries than the limit are refused before any is read")
    func tooManyEntries() {
        let entries = (0..<5).map { TestZip.Entry("file\($0).md", "x") }
        let error = archiveError(TestZip.build(entries), limits: ConnectorArchiveLimits(maxEntries: 4))
        #expect(error?.reason == .tooManyEntries)
        #expect(error?.description == "archive: archive has 5 entries; the limit is 4")
        #expect(error?.switchyardError.key == .tooLarge)
    }

    @Test("an archive over the byte limit is refused")
    func archiveTooLarge() {
        let data = TestZip.build([.init("spec.yml", String(repeating: "a", count: 500))])
        let error = archiveError(data, limits: ConnectorArchiveLimits(maxArchiveBytes: 400))
        #expect(error?.reason == .tooLarge)
        #expect(error?.message.hasPrefix("archive is \(data.count) bytes; the limit is 400 bytes") == true)
    }

    @Test("an uncompressed total over the limit is refused from the declared sizes")
    func uncompressedTotal() {
        let text = String(repeating: "b", count: 600)
        let data = TestZip.build([.init("a.md", text), .init("b.md", text)])
        let error = archiveError(data, limits: ConnectorArchiveLimits(maxUncompressedBytes: 1_000))
        #expect(error?.reason == .tooLarge)
        #expect(error?.description == "archive entry \"b.md\": unpacked total would exceed the limit of 1000 bytes")
    }

    @Test("an entry with an absurd compression ratio is refused as a zip bomb")
    func ratio() {
        let zeros = [UInt8](repeating: 0, count: 1_000_000)
        let error = archiveError(TestZip.build([.init("bomb.md", bytes: zeros, method: 8)]))
        #expect(error?.reason == .tooLarge)
        #expect(error?.entry == "bomb.md")
        #expect(error?.message.contains("is over the limit of 100:1 (zip bomb)") == true)
    }

    @Test("a tiny entry whose headers lie inflates only up to its declared size, then is refused")
    func lyingSizeStopsInflating() {
        var bomb = TestZip.Entry("spec.yml", bytes: [UInt8](repeating: 0x41, count: 5_000_000), method: 8)
        bomb.declaredUncompressedSize = 100
        let data = TestZip.build([bomb])
        #expect(data.count < 100_000)
        let error = archiveError(data)
        #expect(error?.reason == .tooLarge)
        #expect(
            error?.description
                == "archive entry \"spec.yml\": inflates past its declared size of 100 bytes (zip bomb); unpacking stopped")
    }

    @Test("the inflater never produces more than its limit")
    func inflaterCap() throws {
        let deflated = Deflater.deflate([UInt8](repeating: 7, count: 1_000_000))
        #expect(throws: Inflater.Failure.limitExceeded) { try Inflater.inflate(deflated, limit: 4_096) }
        #expect(try Inflater.inflate(deflated, limit: 1_000_000).count == 1_000_000)
    }

    @Test("a compressed size pointing past the archive is refused")
    func compressedSizeLies() {
        var entry = TestZip.Entry("spec.yml", Fixture.spec)
        entry.declaredCompressedSize = 1_000_000
        entry.declaredUncompressedSize = 1_000_000
        let error = archiveError(TestZip.build([entry]))
        #expect(error?.description == "archive entry \"spec.yml\": entry data lies outside the archive")
    }

    @Test("a local header that names a different file than the central directory is refused")
    func localNameMismatch() {
        var entry = TestZip.Entry("spec.yml", Fixture.spec)
        entry.localName = "../evil"
        let error = archiveError(TestZip.build([entry]))
        #expect(error?.description == "archive entry \"spec.yml\": local header names a different entry")
    }

    @Test("a wrong CRC-32 is refused")
    func crc() {
        var entry = TestZip.Entry("spec.yml", Fixture.spec)
        entry.declaredCRC = 1
        #expect(archiveError(TestZip.build([entry]))?.message == "CRC-32 does not match")
    }

    @Test("truncated deflate data is refused, not looped on")
    func truncated() {
        var entry = TestZip.Entry("spec.yml", String(repeating: "connector ", count: 200), method: 8)
        let full = Deflater.deflate(entry.content)
        entry.declaredCompressedSize = UInt32(full.count / 2)
        let error = archiveError(TestZip.build([entry]))
        #expect(error?.reason == .malformed)
        #expect(error?.entry == "spec.yml")
    }

    @Test("duplicate names, and a name that is both a file and a folder, are refused")
    func duplicates() {
        let twice = archiveError(TestZip.build([.init("spec.yml", Fixture.spec), .init("spec.yml", "name: x")]))
        #expect(twice?.reason == .duplicateEntry)
        #expect(twice?.description == "archive entry \"spec.yml\": the archive holds this name twice")
        let clash = archiveError(TestZip.build([.init("data", "x"), .init("data/a.md", "y")]))
        #expect(clash?.description == "archive entry \"data/a.md\": \"data\" is both a file and a folder")
    }

    @Test("encrypted entries are refused")
    func encrypted() {
        var entry = TestZip.Entry("spec.yml", Fixture.spec)
        entry.flags |= 0x0001
        let error = archiveError(TestZip.build([entry]))
        #expect(error?.reason == .encrypted)
        #expect(error?.description == "archive entry \"spec.yml\": encrypted entries are not supported")
    }

    @Test("bytes that are not a ZIP archive are refused")
    func notZip() {
        #expect(archiveError(Data("hello, world, this is not a zip file".utf8))?.reason == .malformed)
    }

    @Test("non-UTF-8 YAML is reported with its line; a UTF-8 byte order mark is accepted")
    func encoding() throws {
        var latin1 = Array("name: Caf".utf8) + [0xE9] + Array("\nkey: x\n".utf8)
        latin1.insert(contentsOf: Array("# comment\n".utf8), at: 0)
        let bad = try? ConnectorPackageReader.read(zip: TestZip.build([.init("spec.yml", bytes: latin1)]))
        #expect(bad == nil)
        #expect(problems(["spec.yml": Data(latin1)]) == ["spec.yml:2: file is not valid UTF-8 text"])
        let bom = Data([0xEF, 0xBB, 0xBF] + Array(Fixture.spec.utf8))
        let package = try ConnectorPackageReader.read(zip: TestZip.build([.init("spec.yml", bytes: [UInt8](bom))]))
        #expect(package.spec.key == "minimal")
    }

    @Test("folder entries, macOS metadata and a single top-level folder are handled")
    func layoutTolerance() throws {
        var folder = TestZip.Entry("minimal/", "")
        folder.externalAttributes = 0o040755 << 16
        let data = TestZip.build([
            folder, .init("minimal/spec.yml", Fixture.spec), .init("__MACOSX/minimal/._spec.yml", "junk"),
        ])
        let package = try ConnectorPackageReader.read(zip: data)
        #expect(package.files.keys.sorted() == ["spec.yml"])
    }

    @Test("the inflater decodes zlib's dynamic-Huffman output byte for byte")
    func inflaterMatchesZlib() throws {
        // Raw DEFLATE made by zlib (level 9) of examples/connectors/tasks-oauth2/spec.yml repeated 3 times.
        let fixture =
            """
            7VTBbtswDL37Kwh0wFogdYYevVNQDFixDQ3Q7DQUASMztRbb0kSmafb1o6w6SbNg7X2+2RT5SD49vTOYtHA7WUsFV/kHMK5tyYgLBaDGXLC/Uaxr9aAk2FhNm365/gTnGlpsoaQl\
            rmu5AGxLCLQMxBWIW1HLedZiQwXMkFcM57sWF9mKtgVIDF+62OQqq92D+x5sAZWI52I87k5zesLG15Qb14xjSu7bh8xjUFyhwHemogaLDEC2Xju5xU8dXX8D/VrbQGUBP0xtqZWb\
            cgTp645MILnXJB+cpyCWOCIA9Jnpr8dkCVab7hMSwMmkuMvBNGk1gIeArcy62AtK55FSPe+D9AoDHeB4lx0bRaLfVNVlagUbXZqVl5QYCJWZ9L0JVmgEbrmsbUtzNIaYI1Fp73h9\
            X53pJi9g4cqtHtGTBExcKJ2NlyIKiDVdY2cwqwgm0xuo7SMxoAB6m/81Ipw3uKKJt9ddo/cMC+RIxsXHXlLXepl6ZLFm8I6FdfWug2iHpKxKwyPYVNZU0OBWKw1p2y7jWdQ6uYKb\
            AyzX1ltYkME1E1gByzorC5VQUaA8Xk5duw2Vn2PTHW0Hw993cjseMlGSdKBHcqmLXzbofa8ljyqVN98agAq+cqrn6e3drAtEiSvwt4TZy7FEwf77WXjzfopuxvkeMqEcRPeFAO8e\
            UR3ggKr8NEDSxtyWJ4p7J5nuHmzev7Hjen7xqN6CkZ7hMxXso+iOuEgCPl4t4fYleSQsP8zM/knMqepTxNCTV//huX2ldp+XnQ0+PPjw4MODDw8+PPjw4MODDw8+PPjwf+zDfwA=
            """
        let url = Fixture.repositoryRoot.appendingPathComponent("examples/connectors/tasks-oauth2/spec.yml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let expected = Array(String(repeating: text, count: 3).utf8)
        let inflated = try Inflater.inflate([UInt8](try #require(Data(base64Encoded: fixture))), limit: 1 << 20)
        #expect(inflated == expected)
    }
}
