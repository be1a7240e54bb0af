import Crypto
import Foundation
import SwitchyardCore

/// The `state` of an OAuth redirect: a JSON payload with an expiry, HMAC-SHA256-signed with a
/// key derived from `SECRET`, so a forged, altered or expired state is refused before anything
/// is looked up. Single use is enforced by the connection request it names (a conditional
/// update from `pending`), not here.
package struct SignedState: Sendable {
    private let key: SymmetricKey

    /// Derives the signing key from the server secret (a fixed HKDF label keeps it apart from
    /// every other key derived from the same secret).
    package init(secret: String) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)), info: Data("switchyard oauth state v1".utf8), outputByteCount: 32
        )
    }

    /// Signs a payload valid until `expiresAt` (seconds since the epoch).
    package func sign(_ payload: [String: JSONValue], expiresAt: Double) -> String {
        var members = payload
        members["exp"] = .number(expiresAt.rounded(.down))
        let body = Array(JSONValue.object(members).jsonText.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: key)
        return Base64URL.encode(body) + "." + Base64URL.encode(Array(mac))
    }

    /// The payload of a valid state.
    /// - Parameter now: Seconds since the epoch.
    /// - Throws: `bad_request` saying whether the state is malformed, forged or expired.
    package func verify(_ state: String, now: Double = Date().timeIntervalSince1970) throws(SwitchyardError) -> [String: JSONValue] {
        let parts = state.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let body = Base64URL.decode(String(parts[0])), let mac = Base64URL.decode(String(parts[1])) else {
            throw SwitchyardError(.badRequest, "the OAuth state is malformed", data: ["state": "malformed"])
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key) else {
            throw SwitchyardError(.badRequest, "the OAuth state was not issued by this Switchyard", data: ["state": "bad signature"])
        }
        guard case .object(let members)? = try? JSONValue.parse(String(decoding: body, as: UTF8.self)), let expiry = members["exp"]?.numberValue else {
            throw SwitchyardError(.badRequest, "the OAuth state is malformed", data: ["state": "malformed"])
        }
        guard expiry > now else { throw SwitchyardError(.badRequest, "the OAuth state has expired; start connecting again", data: ["state": "expired"]) }
        return members
    }
}
