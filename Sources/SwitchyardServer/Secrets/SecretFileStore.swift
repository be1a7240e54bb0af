import Foundation
import SwitchyardCore

#if canImport(Glibc)
import Glibc
#endif

/// Generates missing development secrets once and keeps them in `DATA_DIR`, readable by the
/// owner only (mode 0600), so a restart reuses them and encrypted data stays readable.
///
/// A new secret is written to a temporary file and then hard-linked into place, which fails
/// if another process got there first; the loser reads the winner's value. So two processes
/// starting together on one data directory always agree.
package struct SecretFileStore: Sendable {
    /// The data directory.
    package let directory: String

    /// Creates a store.
    /// - Parameter directory: The data directory (`DATA_DIR`).
    package init(directory: String) {
        self.directory = directory
    }

    /// The file that holds a secret.
    /// - Parameter name: The variable's name, such as `SECRET`.
    package func path(for name: String) -> String {
        "\(directory)/\(name.lowercased().replacingOccurrences(of: "_", with: "-")).key"
    }

    /// Resolves the configured secrets, generating and storing the missing ones.
    /// - Parameter settings: The secrets from the environment.
    /// - Returns: The secrets in effect.
    /// - Throws: ``SwitchyardError`` when the directory or a file cannot be created or read.
    package func resolve(_ settings: SecretSettings) throws(SwitchyardError) -> ResolvedSecrets {
        var stored: [String] = []
        func value(_ name: String, configured: String?) throws(SwitchyardError) -> String {
            if let configured { return configured }
            stored.append(name)
            return try loadOrCreate(name)
        }
        let secret = try value("SECRET", configured: settings.secret)
        let encryptionSecret = try value("ENCRYPTION_SECRET", configured: settings.encryptionSecret)
        return ResolvedSecrets(
            secret: secret, encryptionSecret: encryptionSecret, previousEncryptionSecrets: settings.previousEncryptionSecrets, fromDataDirectory: stored
        )
    }

    /// Reads a stored secret, or generates one (32 random bytes, hex) and stores it.
    /// - Parameter name: The variable's name.
    package func loadOrCreate(_ name: String) throws(SwitchyardError) -> String {
        try DataDirectory.create(directory)
        let path = path(for: name)
        if let existing = try read(path) { return existing }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let secret = bytes.map { String(format: "%02x", $0) }.joined()
        let temporary = "\(path).\(ProcessInfo.processInfo.processIdentifier).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw fileError("create", path) }
        let data = Array((secret + "\n").utf8)
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        defer { unlink(temporary) }
        guard written == data.count, synced == 0 else { throw fileError("write", path) }
        if link(temporary, path) != 0 {
            guard errno == EEXIST, let winner = try read(path) else { throw fileError("store", path) }
            return winner
        }
        return secret
    }

    private func read(_ path: String) throws(SwitchyardError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw fileError("read", path) }
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard value.count >= SecretSettings.minimumLength else {
            throw SwitchyardError(.internal, "stored secret at \(path) is damaged (too short); remove the file only if no data was encrypted with it")
        }
        chmod(path, 0o600)
        return value
    }

    private func fileError(_ verb: String, _ path: String) -> SwitchyardError {
        SwitchyardError(.internal, "cannot \(verb) secret file \(path): \(String(cString: strerror(errno)))")
    }
}
