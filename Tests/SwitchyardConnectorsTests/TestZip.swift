import Foundation

@testable import SwitchyardConnectors

/// Builds ZIP archives byte by byte, including hostile ones (lying sizes, odd modes, flags).
struct TestZip {
    struct Entry {
        var name: String
        var content: [UInt8]
        /// 0 stored, 8 deflate (the content is deflated here).
        var method: UInt16 = 0
        var flags: UInt16 = 0x0800
        var versionMadeBy: UInt16 = (3 << 8) | 20
        var externalAttributes: UInt32 = 0o100644 << 16
        /// Overrides of what the headers declare.
        var declaredCompressedSize: UInt32?
        var declaredUncompressedSize: UInt32?
        var declaredCRC: UInt32?
        /// A different name in the local header.
        var localName: String?

        init(_ name: String, _ text: String, method: UInt16 = 0) {
            self.name = name
            self.content = Array(text.utf8)
            self.method = method
        }

        init(_ name: String, bytes: [UInt8], method: UInt16 = 0) {
            self.name = name
            self.content = bytes
            self.method = method
        }
    }

    static func build(_ entries: [Entry]) -> Data {
        var output: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            let stored = entry.method == 8 ? Deflater.deflate(entry.content) : entry.content
            let crc = entry.declaredCRC ?? CRC32.checksum(entry.content)
            let compressed = entry.declaredCompressedSize ?? UInt32(stored.count)
            let uncompressed = entry.declaredUncompressedSize ?? UInt32(entry.content.count)
            let name = Array(entry.name.utf8)
            let localName = Array((entry.localName ?? entry.name).utf8)
            let offset = UInt32(output.count)
            put32(0x0403_4b50, &output)
            put16(20, &output)
            put16(entry.flags, &output)
            put16(entry.method, &output)
            put16(0, &output)
            put16(0x21, &output)
            put32(crc, &output)
            put32(compressed, &output)
            put32(uncompressed, &output)
            put16(UInt16(localName.count), &output)
            put16(0, &output)
            output += localName
            output += stored

            put32(0x0201_4b50, &central)
            put16(entry.versionMadeBy, &central)
            put16(20, &central)
            put16(entry.flags, &central)
            put16(entry.method, &central)
            put16(0, &central)
            put16(0x21, &central)
            put32(crc, &central)
            put32(compressed, &central)
            put32(uncompressed, &central)
            put16(UInt16(name.count), &central)
            put16(0, &central)
            put16(0, &central)
            put16(0, &central)
            put16(0, &central)
            put32(entry.externalAttributes, &central)
            put32(offset, &central)
            central += name
        }
        let centralOffset = UInt32(output.count)
        output += central
        put32(0x0605_4b50, &output)
        put16(0, &output)
        put16(0, &output)
        put16(UInt16(entries.count), &output)
        put16(UInt16(entries.count), &output)
        put32(UInt32(central.count), &output)
        put32(centralOffset, &output)
        put16(0, &output)
        return Data(output)
    }

    private static func put16(_ value: UInt16, _ bytes: inout [UInt8]) {
        bytes += [UInt8(value & 0xFF), UInt8(value >> 8)]
    }

    private static func put32(_ value: UInt32, _ bytes: inout [UInt8]) {
        bytes += [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
    }
}

/// A small valid package, as files.
enum Fixture {
    static let spec = """
        name: Minimal
        key: minimal
        auth:
          type: none
          makeApiClient:
            type: mapping
            mapping:
              baseUri: https://api.example.com
        """

    static var files: [String: Data] { ["spec.yml": Data(spec.utf8)] }

    static func files(_ texts: [String: String]) -> [String: Data] {
        texts.mapValues { Data($0.utf8) }
    }

    /// The repository root, found from this file's path (symlinked checkouts are resolved).
    static var repositoryRoot: URL {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("examples/connectors").path) {
                return url
            }
            url.deleteLastPathComponent()
        }
        return url
    }
}

/// The problems a validation of `files` reports, as text, or `[]` when the package is valid.
func problems(_ files: [String: Data]) -> [String] {
    do {
        _ = try ConnectorPackageReader.read(files: files)
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

/// The archive error of unpacking `data`, if any.
func archiveError(_ data: Data, limits: ConnectorArchiveLimits = .default) -> ConnectorArchiveError? {
    do {
        _ = try ConnectorArchive.unpack(data, limits: limits)
        return nil
    } catch {
        return error
    }
}
