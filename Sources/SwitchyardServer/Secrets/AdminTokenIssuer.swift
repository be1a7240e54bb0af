import Crypto
import Foundation
import JWTKit

/// Mints and verifies platform admin tokens: HS256 JWTs with `isAdmin: true` and no tenant,
/// signed with a key derived (HKDF-SHA256) from `SECRET`.
///
/// Deriving the key means `SECRET` of any accepted length yields a full-strength 256-bit key,
/// and the same secret can sign other kinds of token under other derived keys.
package struct AdminTokenIssuer: Sendable {
    /// The claims of an admin token.
    package struct Claims: JWTPayload, Equatable {
        /// Always `true`.
        package var isAdmin: Bool
        /// Who issued it: `switchyard`.
        package var iss: IssuerClaim
        /// When it was issued.
        package var iat: IssuedAtClaim
        /// When it expires.
        package var exp: ExpirationClaim

        package func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            guard isAdmin else { throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "not an admin token") }
        }
    }

    private let keys: JWTKeyCollection

    /// Creates an issuer.
    /// - Parameter secret: The deployment's `SECRET`.
    package init(secret: String) async {
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)),
            salt: Data("switchyard".utf8),
            info: Data("admin-token".utf8),
            outputByteCount: 32
        )
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: derived), digestAlgorithm: .sha256)
        self.keys = keys
    }

    /// Mints a token.
    /// - Parameter lifetime: How long it is valid.
    /// - Returns: The compact JWT.
    package func mint(lifetime: Duration) async throws -> String {
        let now = Date()
        let claims = Claims(
            isAdmin: true,
            iss: "switchyard",
            iat: .init(value: now),
            exp: .init(value: now.addingTimeInterval(Double(lifetime.components.seconds)))
        )
        return try await keys.sign(claims)
    }

    /// Verifies a token and returns its claims.
    /// - Parameter token: The compact JWT.
    /// - Throws: When the signature, expiry or claims are not valid.
    package func verify(_ token: String) async throws -> Claims {
        try await keys.verify(token, as: Claims.self)
    }
}
