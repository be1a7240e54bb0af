import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636): a random verifier kept by Switchyard and its S256
/// challenge sent to the provider with the authorization request.
package struct PKCE: Sendable, Equatable {
    /// The code verifier: 64 characters of the unreserved alphabet (43–128 allowed).
    package var verifier: String

    /// A fresh verifier from the system's secure random generator.
    package init() {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        var generator = SystemRandomNumberGenerator()
        verifier = String((0..<64).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// A known verifier (for the token request after the redirect, or tests).
    package init(verifier: String) {
        self.verifier = verifier
    }

    /// `BASE64URL(SHA256(verifier))` without padding.
    package var challenge: String {
        Base64URL.encode(Array(SHA256.hash(data: Data(verifier.utf8))))
    }

    /// Always `S256`; `plain` is never sent.
    package static let method = "S256"
}

/// Base64url without padding (RFC 4648 §5), for PKCE, signed state and tokens.
package enum Base64URL {
    /// Encodes bytes.
    package static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes text; `nil` when it is not base64url.
    package static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
