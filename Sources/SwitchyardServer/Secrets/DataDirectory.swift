import Foundation
import SwitchyardCore

/// The data directory (`DATA_DIR`): created on first use, owner-only.
package enum DataDirectory {
    /// Creates the directory (and parents) with mode 0700 if it does not exist.
    /// - Parameter path: The directory.
    /// - Throws: ``SwitchyardError`` naming the path when it cannot be created or is not a directory.
    package static func create(_ path: String) throws(SwitchyardError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw SwitchyardError(.badRequest, "DATA_DIR \(path) exists and is not a directory")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw SwitchyardError(.badRequest, "cannot create DATA_DIR \(path): \(error.localizedDescription)")
        }
    }
}
