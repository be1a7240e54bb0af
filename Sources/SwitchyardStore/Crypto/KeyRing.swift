import Crypto
import Foundation
import SwitchyardCore

/// AES-256-GCM encryption of secrets at rest, with keys derived (HKDF-SHA256) from
/// `ENCRYPTION_SECRET` and any previous secrets (`ENCRYPTION_SECRET_PREVIOUS`).
///
/// A ciphertext is `v1.<key id>.<base64(nonce ‖ ciphertext ‖ tag)>`. The key id names the key
/// that sealed it, so old ciphertexts stay readable while keys rotate. The record's kind and id
/// are authenticated data: a ciphertext copied to another row does not open.
package struct KeyRing: Sendable {
    private struct Key: Sendable {
        let id: String
        let key: SymmetricKey
    }

    private let current: Key
    private let previous: [String: Key]

    /// The id of the key new ciphertexts are sealed with.
    package var currentKeyID: String { current.id }

    /// Creates a key ring.
    /// - Parameters:
    ///   - secret: `ENCRYPTION_SECRET`.
    ///   - previous: Secrets that sealed older ciphertexts.
    package init(secret: String, previous: [String] = []) {
        current = Self.derive(secret)
        var keys: [String: Key] = [:]
        for old in previous {
            let key = Self.derive(old)
            keys[key.id] = key
        }
        self.previous = keys
    }

    private static func derive(_ secret: String) -> Key {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)),
            salt: Data("switchyard".utf8),
            info: Data("secrets-at-rest-v1".utf8),
            outputByteCount: 32
        )
        let fingerprint = HMAC<SHA256>.authenticationCode(for: Data("key-id".utf8), using: key)
        let id = Data(fingerprint).prefix(6).map { String(format: "%02x", $0) }.joined()
        return Key(id: id, key: key)
    }

    /// Seals a value for a record.
    package func seal(_ value: JSONValue, kind: RecordKind, id: String) throws(SwitchyardError) -> String {
        do {
            let box = try AES.GCM.seal(Data(value.jsonText.utf8), using: current.key, authenticating: Data("\(kind.rawValue)/\(id)".utf8))
            guard let combined = box.combined else { throw SwitchyardError(.internal, "cannot seal a secret") }
            return "v1.\(current.id).\(combined.base64EncodedString())"
        } catch let error as SwitchyardError {
            throw error
        } catch {
            throw SwitchyardError(.internal, "cannot seal a secret", internalDetail: "\(error)")
        }
    }

    /// The key id a ciphertext was sealed with, or `nil` when it is not one of ours.
    package static func keyID(of ciphertext: String) -> String? {
        let parts = ciphertext.split(separator: ".", maxSplits: 2)
        return parts.count == 3 && parts[0] == "v1" ? String(parts[1]) : nil
    }

    /// Opens a ciphertext of a record.
    /// - Throws: `internal` naming the missing key id, or saying the ciphertext is damaged or
    ///   belongs to another record. Never returns garbage.
    package func open(_ ciphertext: String, kind: RecordKind, id: String) throws(SwitchyardError) -> JSONValue {
        let parts = ciphertext.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "v1", let data = Data(base64Encoded: String(parts[2])) else {
            throw SwitchyardError(.internal, "the stored secret of \(kind.rawValue) \(id) is not in a format Switchyard wrote")
        }
        let keyID = String(parts[1])
        guard let key = keyID == current.id ? current : previous[keyID] else {
            throw SwitchyardError(
                .internal,
                "the secret of \(kind.rawValue) \(id) was sealed with key \(keyID), which is neither ENCRYPTION_SECRET (key \(current.id)) nor in ENCRYPTION_SECRET_PREVIOUS"
            )
        }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plain = try AES.GCM.open(box, using: key.key, authenticating: Data("\(kind.rawValue)/\(id)".utf8))
            return try JSONValue.parse(String(decoding: plain, as: UTF8.self))
        } catch {
            throw SwitchyardError(.internal, "the secret of \(kind.rawValue) \(id) does not open with key \(keyID): it is damaged or belongs to another record")
        }
    }
}
