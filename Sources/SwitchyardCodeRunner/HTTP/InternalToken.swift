import Crypto
import Foundation

/// The bearer token other roles present to the code runner: derived (HKDF-SHA256) from the
/// deployment's `SECRET`, so every process of one deployment agrees on it and nobody else knows it.
package struct InternalToken: Sendable, Equatable {
    /// The token text (64 hex characters).
    package let value: String

    /// Derives the token.
    /// - Parameter secret: The deployment's `SECRET`.
    package init(secret: String) {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)),
            salt: Data("switchyard".utf8),
            info: Data("code-runner-internal-token".utf8),
            outputByteCount: 32
        )
        value = key.withUnsafeBytes { bytes in bytes.map { String(format: "%02x", $0) }.joined() }
    }

    /// Whether an `Authorization` header carries this token (compared in constant time).
    /// - Parameter header: The header's value, or `nil`.
    package func accepts(authorization header: String?) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let presented = SHA256.hash(data: Data(header.dropFirst("Bearer ".count).utf8))
        let expected = SHA256.hash(data: Data(value.utf8))
        return presented == expected
    }
}
