import JWTKit

/// The claims of an ID token the console reads. Signature and audience are checked by
/// jwt-kit (``JWTKit/JWTIdentityToken``); issuer, times and nonce by ``OIDCProvider``, so
/// each failure can be named.
struct OIDCIDToken: JWTIdentityToken {
    /// `iss`.
    var issuer: IssuerClaim
    /// `sub`.
    var subject: SubjectClaim
    /// `aud`: one client id or several.
    var audience: AudienceClaim
    /// `exp`.
    var expires: ExpirationClaim
    /// `iat`.
    var issuedAt: IssuedAtClaim
    /// `nonce`: must equal the one the console sent.
    var nonce: String?
    /// `email`.
    var email: String?
    /// `email_verified`; a `false` is refused.
    var emailVerified: BoolClaim?
    /// `name`.
    var name: String?

    enum CodingKeys: String, CodingKey {
        case issuer = "iss", subject = "sub", audience = "aud", expires = "exp", issuedAt = "iat"
        case nonce, email, emailVerified = "email_verified", name
    }

    /// Claims are checked by ``OIDCProvider``, which names each failure.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Who the provider says signed in.
struct OIDCIdentity: Sendable, Equatable {
    /// The email, lower case.
    var email: String
    /// The display name, when the token has one.
    var name: String?
}
