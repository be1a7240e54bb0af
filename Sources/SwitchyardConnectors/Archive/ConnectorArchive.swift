import Foundation

/// Unpacks uploaded connector archives safely and packs connector files into deterministic ZIPs.
package enum ConnectorArchive {
    /// Unpacks a ZIP upload into files keyed by relative path (folders are dropped).
    ///
    /// Refuses, naming the entry: unsafe paths (`..`, absolute, backslashes, drive letters,
    /// control characters, empty or `.` components), symlinks and other non-regular entries,
    /// encrypted entries, duplicate names, more than `maxEntries` entries, an archive over
    /// `maxArchiveBytes`, an unpacked total over `maxUncompressedBytes`, and entries whose
    /// declared ratio is absurd or whose real output passes the declared size (inflating
    /// stops at once). macOS metadata (`__MACOSX/`, `.DS_Store`) is checked like any entry,
    /// then dropped.
    /// - Parameters:
    ///   - archive: The ZIP bytes.
    ///   - limits: The bounds to enforce.
    /// - Returns: File contents by path.
    /// - Throws: ``ConnectorArchiveError``.
    package static func unpack(
        _ archive: Data, limits: ConnectorArchiveLimits = .default
    ) throws(ConnectorArchiveError) -> [String: Data] {
        let files = try ZipReader(archive, limits: limits).files()
        return files.filter { !isPlatformMetadata($0.key) }
    }

    /// Packs files into a ZIP archive that ``unpack(_:limits:)`` accepts back.
    ///
    /// The output depends only on the files: entries are sorted by path and carry a fixed
    /// timestamp (1980-01-01 00:00) and mode (0644). Paths must be relative, `/`-separated and
    /// pass ``checkPath(_:)`` (the files of a ``ConnectorPackage`` always do).
    /// - Parameter files: File contents by path.
    /// - Returns: The ZIP bytes.
    package static func pack(_ files: [String: Data]) -> Data {
        ZipWriter.archive(files)
    }

    /// Reads a connector folder from disk into files keyed by relative path, with the same
    /// rules as an archive: no symlinks or special files, entry count and size limits.
    /// - Parameters:
    ///   - folder: The folder holding `spec.yml`.
    ///   - limits: The bounds to enforce.
    /// - Returns: File contents by path.
    /// - Throws: ``ConnectorArchiveError``.
    package static func files(
        inFolder folder: URL, limits: ConnectorArchiveLimits = .default
    ) throws(ConnectorArchiveError) -> [String: Data] {
        var files: [String: Data] = [:]
        var entries = 0
        var total = 0
        func walk(_ url: URL, prefix: String) throws(ConnectorArchiveError) {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
            } catch {
                throw ConnectorArchiveError(.malformed, entry: prefix.isEmpty ? nil : prefix, "folder cannot be read")
            }
            for name in names {
                let path = prefix + name
                let child = url.appendingPathComponent(name)
                entries += 1
                if entries > limits.maxEntries {
                    throw ConnectorArchiveError(.tooManyEntries, "folder has more than \(limits.maxEntries) entries")
                }
                try checkPath(path)
                let attributes = try? FileManager.default.attributesOfItem(atPath: child.path)
                let type = attributes?[.type] as? FileAttributeType
                switch type {
                case .typeDirectory?:
                    try walk(child, prefix: path + "/")
                case .typeRegular?:
                    guard let data = FileManager.default.contents(atPath: child.path) else {
                        throw ConnectorArchiveError(.malformed, entry: path, "file cannot be read")
                    }
                    total += data.count
                    if total > limits.maxUncompressedBytes {
                        throw ConnectorArchiveError(
                            .tooLarge, entry: path, "total exceeds the limit of \(limits.maxUncompressedBytes) bytes")
                    }
                    if !isPlatformMetadata(path) { files[path] = data }
                case .typeSymbolicLink?:
                    throw ConnectorArchiveError(.unsupportedEntryType, entry: path, "symbolic links are not allowed")
                default:
                    throw ConnectorArchiveError(.unsupportedEntryType, entry: path, "not a regular file or folder")
                }
            }
        }
        try walk(folder, prefix: "")
        return files
    }

    /// Checks that an entry name is a safe relative path (a trailing `/` marks a folder).
    /// - Parameter name: The entry name as stored.
    /// - Throws: ``ConnectorArchiveError`` with reason `unsafePath` (or `malformed` for an empty name).
    package static func checkPath(_ name: String) throws(ConnectorArchiveError) {
        func unsafe(_ message: String) -> ConnectorArchiveError {
            ConnectorArchiveError(.unsafePath, entry: name, message)
        }
        guard !name.isEmpty else { throw ConnectorArchiveError(.malformed, "an entry has an empty name") }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw unsafe("control characters are not allowed in paths")
        }
        if name.contains("\\") { throw unsafe("backslashes are not allowed in paths") }
        if name.hasPrefix("/") { throw unsafe("absolute paths are not allowed") }
        let scalars = Array(name.unicodeScalars)
        if scalars.count >= 2, scalars[1] == ":", scalars[0].isASCIILetter {
            throw unsafe("drive letters are not allowed in paths")
        }
        let trimmed = name.hasSuffix("/") ? String(name.dropLast()) : name
        let components = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        if components.contains("..") { throw unsafe("path leaves the package folder (\"..\")") }
        if components.contains(where: { $0.isEmpty || $0 == "." }) {
            throw unsafe("path is not normalized (empty or \".\" component)")
        }
    }

    /// Whether a path is macOS Finder metadata that archives often carry.
    static func isPlatformMetadata(_ path: String) -> Bool {
        path.hasPrefix("__MACOSX/") || path == ".DS_Store" || path.hasSuffix("/.DS_Store")
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool {
        (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
    }
}
