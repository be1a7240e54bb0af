import Crypto
import Foundation
import SwitchyardCore

/// Opaque, tamper-checked keyset cursors: the position `(created_at, id)` of the last row of a
/// page, bound to the list's kind, scope and filter and signed with HMAC-SHA256. A cursor edited,
/// forged, or used on another list is refused.
package struct PageCursor: Sendable {
    private let key: SymmetricKey

    /// Creates the cursor codec.
    /// - Parameter secret: A deployment secret; a cursor key is derived from it.
    package init(secret: String) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)),
            salt: Data("switchyard".utf8),
            info: Data("page-cursor-v1".utf8),
            outputByteCount: 32
        )
    }

    /// Encodes the position after a row.
    package func encode(createdAt: Int64, id: String, context: String) -> String {
        let payload = Data("\(createdAt)\n\(id)".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: payload + Data(context.utf8), using: key)
        return Self.base64url(payload) + "." + Self.base64url(Data(mac).prefix(16))
    }

    /// Decodes a cursor made by ``encode(createdAt:id:context:)`` for the same list.
    /// - Throws: `bad_request` when the cursor is malformed, altered or from another list.
    package func decode(_ cursor: String, context: String) throws(SwitchyardError) -> (createdAt: Int64, id: String) {
        let parts = cursor.split(separator: ".")
        guard parts.count == 2, let payload = Self.unbase64url(String(parts[0])), let mac = Self.unbase64url(String(parts[1])) else {
            throw SwitchyardError(.badRequest, "cursor is not valid", data: ["field": "cursor"])
        }
        let expected = Data(HMAC<SHA256>.authenticationCode(for: payload + Data(context.utf8), using: key)).prefix(16)
        guard mac.count == expected.count, zip(mac, expected).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0 else {
            throw SwitchyardError(.badRequest, "cursor is not valid for this list", data: ["field": "cursor"])
        }
        let text = String(decoding: payload, as: UTF8.self)
        guard let newline = text.firstIndex(of: "\n"), let createdAt = Int64(text[..<newline]) else {
            throw SwitchyardError(.badRequest, "cursor is not valid", data: ["field": "cursor"])
        }
        return (createdAt, String(text[text.index(after: newline)...]))
    }

    /// Checks a page size.
    package static func validate(limit: Int) throws(SwitchyardError) {
        guard (1...1000).contains(limit) else {
            throw SwitchyardError(.badRequest, "limit must be from 1 to 1000; got \(limit)", data: ["field": "limit"])
        }
    }

    private static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func unbase64url(_ text: String) -> Data? {
        var base = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.count % 4 != 0 { base += "=" }
        return Data(base64Encoded: base)
    }
}
