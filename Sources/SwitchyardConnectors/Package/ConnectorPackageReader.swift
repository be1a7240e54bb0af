import Foundation

/// Reads connector packages from a ZIP upload, a folder on disk, or files in memory.
package enum ConnectorPackageReader {
    /// Unpacks and validates a ZIP upload.
    ///
    /// When the archive has no `spec.yml` at its root but exactly one top-level folder that
    /// holds one (what zipping a folder usually gives), that folder is the package root.
    /// - Parameters:
    ///   - archive: The ZIP bytes.
    ///   - limits: Archive and YAML limits.
    /// - Returns: The package.
    /// - Throws: ``ConnectorArchiveError`` when the archive is refused,
    ///   ``ConnectorValidationError`` (every problem) when its content is invalid.
    package static func read(zip archive: Data, limits: ConnectorArchiveLimits = .default) throws -> ConnectorPackage {
        let files = try ConnectorArchive.unpack(archive, limits: limits)
        return try read(files: stripSingleRootFolder(files), limits: limits)
    }

    /// Reads and validates a package folder on disk (symlinks and special files are refused).
    /// - Parameters:
    ///   - folder: The folder that holds `spec.yml`.
    ///   - limits: Size and count limits.
    /// - Returns: The package.
    /// - Throws: ``ConnectorArchiveError`` or ``ConnectorValidationError``.
    package static func read(folder: URL, limits: ConnectorArchiveLimits = .default) throws -> ConnectorPackage {
        try read(files: ConnectorArchive.files(inFolder: folder, limits: limits), limits: limits)
    }

    /// Validates package files held in memory.
    /// - Parameters:
    ///   - files: File contents by relative path (`spec.yml`, `operations/<key>/spec.yml`, ...).
    ///   - limits: YAML limits.
    /// - Returns: The package.
    /// - Throws: ``ConnectorValidationError`` listing every problem.
    package static func read(
        files: [String: Data], limits: ConnectorArchiveLimits = .default
    ) throws(ConnectorValidationError) -> ConnectorPackage {
        let validator = PackageValidator(files: files, limits: limits)
        let package = validator.validate()
        let problems = validator.sortedProblems
        guard problems.isEmpty, let package else {
            throw ConnectorValidationError(problems: problems)
        }
        return package
    }

    static func stripSingleRootFolder(_ files: [String: Data]) -> [String: Data] {
        guard files["spec.yml"] == nil else { return files }
        let roots = Set(files.keys.map { $0.split(separator: "/", maxSplits: 1).first.map(String.init) ?? $0 })
        guard roots.count == 1, let root = roots.first, files["\(root)/spec.yml"] != nil else { return files }
        var stripped: [String: Data] = [:]
        for (path, data) in files { stripped[String(path.dropFirst(root.count + 1))] = data }
        return stripped
    }
}
