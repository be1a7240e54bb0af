import Foundation

/// A ZIP reader written for hostile input: it reads the central directory itself, checks every
/// record before inflating anything, and inflates with a hard stop at the declared size.
///
/// DEFLATE is decoded by ``Inflater``, which refuses to produce a byte past the declared size.
struct ZipReader {
    private let bytes: [UInt8]
    private let limits: ConnectorArchiveLimits

    init(_ data: Data, limits: ConnectorArchiveLimits) {
        self.bytes = [UInt8](data)
        self.limits = limits
    }

    /// The files of the archive (folders are checked, then dropped), keyed by path.
    func files() throws(ConnectorArchiveError) -> [String: Data] {
        guard bytes.count <= limits.maxArchiveBytes else {
            throw ConnectorArchiveError(
                .tooLarge, "archive is \(bytes.count) bytes; the limit is \(limits.maxArchiveBytes) bytes")
        }
        let entries = try centralDirectory()
        try checkNames(entries)
        var declaredTotal = 0
        for entry in entries {
            try checkRecord(entry)
            declaredTotal += entry.uncompressedSize
            if declaredTotal > limits.maxUncompressedBytes {
                throw ConnectorArchiveError(
                    .tooLarge, entry: entry.name,
                    "unpacked total would exceed the limit of \(limits.maxUncompressedBytes) bytes")
            }
        }
        let ranges = try dataRanges(entries)
        var files: [String: Data] = [:]
        var actualTotal = 0
        for (entry, range) in zip(entries, ranges) where !entry.isDirectory {
            let content = try inflate(entry, range: range)
            actualTotal += content.count
            if actualTotal > limits.maxUncompressedBytes {
                throw ConnectorArchiveError(
                    .tooLarge, entry: entry.name,
                    "unpacked total exceeds the limit of \(limits.maxUncompressedBytes) bytes")
            }
            files[entry.name] = content
        }
        return files
    }

    // MARK: - Central directory

    private func u16(_ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    private func u32(_ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }

    private static let endSignature: UInt32 = 0x0605_4b50
    private static let centralSignature: UInt32 = 0x0201_4b50
    private static let localSignature: UInt32 = 0x0403_4b50

    private func malformed(_ message: String, entry: String? = nil) -> ConnectorArchiveError {
        ConnectorArchiveError(.malformed, entry: entry, message)
    }

    /// Finds the end-of-central-directory record and reads every central record.
    private func centralDirectory() throws(ConnectorArchiveError) -> [ZipEntry] {
        guard bytes.count >= 22 else { throw malformed("not a ZIP archive (too short)") }
        var endOffset: Int?
        var offset = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        while offset >= lowest {
            if u32(offset) == Self.endSignature, offset + 22 + Int(u16(offset + 20)) == bytes.count {
                endOffset = offset
                break
            }
            offset -= 1
        }
        guard let end = endOffset else { throw malformed("not a ZIP archive (no end of central directory)") }
        let disk = u16(end + 4)
        let centralDisk = u16(end + 6)
        let entriesOnDisk = Int(u16(end + 8))
        let entryCount = Int(u16(end + 10))
        let centralSize = Int(u32(end + 12))
        let centralOffset = Int(u32(end + 16))
        if entryCount == 0xFFFF || centralSize == 0xFFFF_FFFF || centralOffset == 0xFFFF_FFFF {
            throw malformed("ZIP64 archives are not supported")
        }
        guard disk == 0, centralDisk == 0, entriesOnDisk == entryCount else {
            throw malformed("multi-part archives are not supported")
        }
        guard entryCount <= limits.maxEntries else {
            throw ConnectorArchiveError(
                .tooManyEntries, "archive has \(entryCount) entries; the limit is \(limits.maxEntries)")
        }
        guard centralOffset + centralSize <= end else {
            throw malformed("central directory lies outside the archive")
        }
        var entries: [ZipEntry] = []
        var cursor = centralOffset
        for _ in 0..<entryCount {
            guard cursor + 46 <= centralOffset + centralSize, u32(cursor) == Self.centralSignature else {
                throw malformed("central directory is corrupt")
            }
            let nameLength = Int(u16(cursor + 28))
            let extraLength = Int(u16(cursor + 30))
            let commentLength = Int(u16(cursor + 32))
            let recordEnd = cursor + 46 + nameLength + extraLength + commentLength
            guard recordEnd <= centralOffset + centralSize else { throw malformed("central directory is corrupt") }
            let rawName = Array(bytes[(cursor + 46)..<(cursor + 46 + nameLength)])
            guard let name = String(validating: rawName, as: UTF8.self) else {
                throw malformed("an entry name is not valid UTF-8", entry: String(decoding: rawName, as: UTF8.self))
            }
            entries.append(
                ZipEntry(
                    name: name, rawName: rawName, versionMadeBy: u16(cursor + 4), flags: u16(cursor + 8),
                    method: u16(cursor + 10), crc32: u32(cursor + 16), compressedSize: Int(u32(cursor + 20)),
                    uncompressedSize: Int(u32(cursor + 24)), externalAttributes: u32(cursor + 38),
                    localHeaderOffset: Int(u32(cursor + 42))))
            cursor = recordEnd
        }
        guard cursor == centralOffset + centralSize else {
            throw malformed("central directory holds more records than it declares")
        }
        return entries
    }

    // MARK: - Checks before inflating

    private func checkNames(_ entries: [ZipEntry]) throws(ConnectorArchiveError) {
        var files = Set<String>()
        var folders = Set<String>()
        for entry in entries {
            try ConnectorArchive.checkPath(entry.name)
            let path = entry.isDirectory ? String(entry.name.dropLast(entry.name.hasSuffix("/") ? 1 : 0)) : entry.name
            if files.contains(path) || folders.contains(path) {
                throw ConnectorArchiveError(.duplicateEntry, entry: entry.name, "the archive holds this name twice")
            }
            if entry.isDirectory { folders.insert(path) } else { files.insert(path) }
        }
        // A file may not also be a folder of another entry ("a" and "a/b").
        for entry in entries {
            var parent = entry.name.hasSuffix("/") ? String(entry.name.dropLast()) : entry.name
            while let slash = parent.lastIndex(of: "/") {
                parent = String(parent[..<slash])
                if files.contains(parent) {
                    throw ConnectorArchiveError(
                        .duplicateEntry, entry: entry.name, "\"\(parent)\" is both a file and a folder")
                }
            }
        }
    }

    private func checkRecord(_ entry: ZipEntry) throws(ConnectorArchiveError) {
        if let mode = entry.unixMode {
            switch mode & 0o170000 {
            // No type bits at all is a plain file: Python's zipfile writes entries that way.
            case 0o100000, 0o040000, 0: break
            case 0o120000:
                throw ConnectorArchiveError(
                    .unsupportedEntryType, entry: entry.name, "symbolic links are not allowed")
            default:
                throw ConnectorArchiveError(
                    .unsupportedEntryType, entry: entry.name,
                    "not a regular file or folder (mode \(String(mode, radix: 8)))")
            }
        }
        if entry.isEncrypted {
            throw ConnectorArchiveError(.encrypted, entry: entry.name, "encrypted entries are not supported")
        }
        guard entry.method == 0 || entry.method == 8 else {
            throw malformed("compression method \(entry.method) is not supported (only stored and deflate)", entry: entry.name)
        }
        if entry.isDirectory {
            guard entry.uncompressedSize == 0 else { throw malformed("a folder entry has content", entry: entry.name) }
            return
        }
        if entry.uncompressedSize > limits.maxUncompressedBytes {
            throw ConnectorArchiveError(
                .tooLarge, entry: entry.name,
                "declares \(entry.uncompressedSize) bytes; the limit is \(limits.maxUncompressedBytes) bytes")
        }
        if entry.method == 0, entry.compressedSize != entry.uncompressedSize {
            throw malformed("a stored entry declares different compressed and uncompressed sizes", entry: entry.name)
        }
        if entry.uncompressedSize > limits.ratioCheckThresholdBytes,
            entry.uncompressedSize > max(entry.compressedSize, 1) * limits.maxCompressionRatio
        {
            let ratio = entry.uncompressedSize / max(entry.compressedSize, 1)
            throw ConnectorArchiveError(
                .tooLarge, entry: entry.name,
                "compression ratio \(ratio):1 is over the limit of \(limits.maxCompressionRatio):1 (zip bomb)")
        }
    }

    /// The compressed bytes of each entry, after checking its local header and that no two
    /// entries share bytes (overlapping entries are a zip bomb technique).
    private func dataRanges(_ entries: [ZipEntry]) throws(ConnectorArchiveError) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for entry in entries {
            let offset = entry.localHeaderOffset
            guard offset + 30 <= bytes.count, u32(offset) == Self.localSignature else {
                throw malformed("local header is missing or corrupt", entry: entry.name)
            }
            let nameLength = Int(u16(offset + 26))
            let extraLength = Int(u16(offset + 28))
            let dataStart = offset + 30 + nameLength + extraLength
            guard dataStart <= bytes.count, Array(bytes[(offset + 30)..<(offset + 30 + nameLength)]) == entry.rawName
            else {
                throw malformed("local header names a different entry", entry: entry.name)
            }
            if u16(offset + 6) & 0x0041 != 0 {
                throw ConnectorArchiveError(.encrypted, entry: entry.name, "encrypted entries are not supported")
            }
            guard dataStart + entry.compressedSize <= bytes.count else {
                throw malformed("entry data lies outside the archive", entry: entry.name)
            }
            ranges.append(dataStart..<(dataStart + entry.compressedSize))
        }
        let order = zip(entries, ranges).map { (entry: $0.0, header: $0.0.localHeaderOffset, end: $0.1.upperBound) }
            .sorted { $0.header < $1.header }
        for (previous, next) in zip(order, order.dropFirst()) where next.header < previous.end {
            throw malformed("entry overlaps another entry's data", entry: next.entry.name)
        }
        return ranges
    }

    // MARK: - Inflating

    private func inflate(_ entry: ZipEntry, range: Range<Int>) throws(ConnectorArchiveError) -> Data {
        let declared = entry.uncompressedSize
        let content: [UInt8]
        if entry.method == 0 {
            content = Array(bytes[range])
        } else {
            do {
                // Stops as soon as real output passes the declared size: headers are never trusted.
                content = try Inflater.inflate(Array(bytes[range]), limit: declared)
            } catch .limitExceeded {
                throw ConnectorArchiveError(
                    .tooLarge, entry: entry.name,
                    "inflates past its declared size of \(declared) bytes (zip bomb); unpacking stopped")
            } catch .truncated {
                throw malformed("compressed data ends early", entry: entry.name)
            } catch {
                throw malformed("compressed data is corrupt", entry: entry.name)
            }
        }
        guard content.count == declared else {
            throw malformed("unpacks to \(content.count) bytes but declares \(declared)", entry: entry.name)
        }
        guard CRC32.checksum(content) == entry.crc32 else {
            throw malformed("CRC-32 does not match", entry: entry.name)
        }
        return Data(content)
    }
}
