import Foundation
import SwitchyardCore

/// The runtime script on disk: a private directory with one read-only file, mounted into every
/// sandbox. Created once per code runner; removed when it is torn down.
package struct SandboxRuntime: Sendable {
    /// The directory holding `runner.js`.
    package let directory: String

    /// Writes the runtime script to a new private directory.
    /// - Throws: ``CodeRunError`` (`unavailable`) when the directory cannot be written.
    package init() throws(CodeRunError) {
        let directory = NSTemporaryDirectory() + "switchyard-runner-" + UUID().uuidString.prefix(12)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            let path = directory + "/runner.js"
            try Data(SandboxRuntimeScript.source.utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        } catch {
            throw CodeRunError(.unavailable, "cannot write the sandbox runtime to \(directory): \(error.localizedDescription)")
        }
        self.directory = directory
    }

    /// Removes the directory.
    package func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
