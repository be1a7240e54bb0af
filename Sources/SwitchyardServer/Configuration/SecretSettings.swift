import Foundation
/// The two deployment secrets as configured (before generation of missing ones).
package struct SecretSettings: Sendable, Equatable {
    /// Whether this is a production deployment (`NODE_ENV` or `SWITCHYARD_ENV` = `production`).
    package var isProduction: Bool
    /// `SECRET`, if set: signs Switchyard's own tokens.
    package var secret: String?
    /// `ENCRYPTION_SECRET`, if set: encrypts credentials at rest.
    package var encryptionSecret: String?
    /// `ENCRYPTION_SECRET_PREVIOUS`: earlier encryption secrets, still accepted for reading while
    /// `switchyard rotate-encryption-key` re-encrypts (comma-separated).
    package var previousEncryptionSecrets: [String]

    /// The shortest secret accepted.
    package static let minimumLength = 16

    /// Reads the settings. In production both secrets are required.
    /// - Parameter env: The environment reader; problems are recorded there.
    package init(env: inout EnvironmentReader) {
        let mode = (env.string("SWITCHYARD_ENV") ?? env.string("NODE_ENV"))?.trimmingCharacters(in: .whitespaces).lowercased()
        isProduction = mode == "production"
        secret = Self.read(&env, "SECRET", production: isProduction)
        encryptionSecret = Self.read(&env, "ENCRYPTION_SECRET", production: isProduction)
        previousEncryptionSecrets = (env.string("ENCRYPTION_SECRET_PREVIOUS") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for (index, previous) in previousEncryptionSecrets.enumerated() where previous.count < Self.minimumLength {
            env.report("ENCRYPTION_SECRET_PREVIOUS", "entry \(index + 1) is too short (\(previous.count) characters); use at least \(Self.minimumLength)")
        }
    }

    private static func read(_ env: inout EnvironmentReader, _ name: String, production: Bool) -> String? {
        guard let value = env.string(name) else {
            if production {
                env.report(name, "is required in production (NODE_ENV/SWITCHYARD_ENV=production); set at least \(minimumLength) random characters")
            }
            return nil
        }
        guard value.count >= minimumLength else {
            env.report(name, "is too short (\(value.count) characters); use at least \(minimumLength)")
            return nil
        }
        return value
    }
}
