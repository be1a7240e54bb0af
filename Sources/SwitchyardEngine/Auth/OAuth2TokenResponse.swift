import Foundation
import SwitchyardCore

/// What a token endpoint answered (RFC 6749 §5.1 and §5.2), read into the credentials a
/// connection keeps, or into the provider's error.
package enum OAuth2TokenResponse {
    /// The provider's verdict on a token request.
    package enum Outcome: Sendable, Equatable {
        /// New credentials (`access_token`, `refresh_token` when given, `expires_at`, …).
        case credentials(OAuth2Credentials)
        /// A definitive refusal (`invalid_grant`, `invalid_client`, …): retrying cannot help.
        case refused(error: String, description: String?)
        /// A failure that may pass: network, 5xx, 429, or an answer that is not a token response.
        case transient(String)
    }

    /// Reads a token endpoint's answer.
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - body: The body (JSON, or form-encoded as some providers answer).
    ///   - now: Seconds since the epoch, for `expires_in`.
    ///   - previous: The credentials being refreshed: a refresh that returns no new refresh
    ///     token keeps the old one.
    package static func read(status: Int, body: [UInt8], now: Double, previous: OAuth2Credentials? = nil) -> Outcome {
        let fields = parse(body)
        if status == 429 || status >= 500 { return .transient("the token endpoint answered \(status)") }
        if let error = fields["error"]?.stringValue {
            // RFC 6749 §5.2: these say the grant or client is no good; anything else may pass.
            let definitive: Set<String> = [
                "invalid_grant", "invalid_client", "unauthorized_client", "unsupported_grant_type", "invalid_scope", "invalid_request",
            ]
            return definitive.contains(error)
                ? .refused(error: error, description: fields["error_description"]?.stringValue)
                : .transient("the token endpoint answered \(status) \(error)")
        }
        guard (200..<300).contains(status), let access = fields["access_token"]?.stringValue, !access.isEmpty else {
            return status >= 400 && status < 500
                ? .refused(error: "http_\(status)", description: "the token endpoint answered \(status)")
                : .transient("the token endpoint answered \(status) without an access_token")
        }
        var credentials = OAuth2Credentials(accessToken: access)
        credentials.refreshToken = fields["refresh_token"]?.stringValue ?? previous?.refreshToken
        credentials.tokenType = fields["token_type"]?.stringValue ?? "Bearer"
        credentials.scope = fields["scope"]?.stringValue ?? previous?.scope
        if let seconds = fields["expires_in"]?.numberValue ?? fields["expires_in"]?.stringValue.flatMap(Double.init), seconds > 0 {
            credentials.expiresAt = now + seconds
        }
        credentials.obtainedAt = now
        credentials.raw = fields
        return .credentials(credentials)
    }

    private static func parse(_ body: [UInt8]) -> [String: JSONValue] {
        let text = String(decoding: body, as: UTF8.self)
        if case .object(let members)? = try? JSONValue.parse(text) { return members }
        var members: [String: JSONValue] = [:]
        // A field with an empty name or value is left out, as if it were absent.
        for (name, value) in FormURLEncoding.decode(text) where !name.isEmpty && !value.isEmpty {
            members[name] = .string(value)
        }
        return members
    }
}

/// An OAuth 2.0 connection's credentials, as stored (encrypted) on the connection.
package struct OAuth2Credentials: Sendable, Equatable {
    package var accessToken: String
    package var refreshToken: String?
    package var tokenType = "Bearer"
    package var scope: String?
    /// Seconds since the epoch when the access token expires, if the provider said.
    package var expiresAt: Double?
    /// Seconds since the epoch when the access token was obtained (with ``expiresAt``, its lifetime).
    package var obtainedAt: Double?
    /// Every field of the token response (connector mappings may read more of it).
    package var raw: [String: JSONValue] = [:]

    /// Credentials with an access token.
    package init(accessToken: String) {
        self.accessToken = accessToken
    }

    /// The stored form; field names follow the token response (`access_token`, …).
    package var json: JSONValue {
        var members = raw
        members["access_token"] = .string(accessToken)
        members["refresh_token"] = refreshToken.map { .string($0) } ?? .null
        members["token_type"] = .string(tokenType)
        members["scope"] = scope.map { .string($0) } ?? .null
        members["expires_at"] = expiresAt.map { .number($0) } ?? .null
        members["obtained_at"] = obtainedAt.map { .number($0) } ?? .null
        members["expires_in"] = nil
        return .object(members.filter { $0.value != .null })
    }

    /// Reads the stored form.
    package init?(_ json: JSONValue?) {
        guard case .object(let members)? = json, let access = members["access_token"]?.stringValue else { return nil }
        accessToken = access
        refreshToken = members["refresh_token"]?.stringValue
        tokenType = members["token_type"]?.stringValue ?? "Bearer"
        scope = members["scope"]?.stringValue
        expiresAt = members["expires_at"]?.numberValue
        obtainedAt = members["obtained_at"]?.numberValue
        raw = members
    }

    /// The longest margin before expiry at which a token counts as expiring soon.
    package static let maximumRefreshMargin: Double = 30
    /// The share of a token's lifetime that the margin may take at most.
    package static let refreshMarginShare: Double = 0.1

    /// How long before its expiry a token with this lifetime is refreshed: 30 s, or a tenth of
    /// the lifetime when that is less, so a token that lives 3 s is used for 2.7 s instead of
    /// counting as expiring from the moment it is issued. Without a known lifetime, 30 s.
    package static func refreshMargin(lifetime: Double?) -> Double {
        guard let lifetime, lifetime > 0 else { return maximumRefreshMargin }
        return min(maximumRefreshMargin, lifetime * refreshMarginShare)
    }

    /// The token's lifetime (``expiresAt`` minus ``obtainedAt``), when both are known.
    package var lifetime: Double? {
        guard let expiresAt, let obtainedAt, expiresAt > obtainedAt else { return nil }
        return expiresAt - obtainedAt
    }

    /// Whether the access token should be refreshed before it is used: it expires within the
    /// margin ``refreshMargin(lifetime:)`` gives for its lifetime.
    package func expiresSoon(now: Double) -> Bool {
        expires(within: Self.refreshMargin(lifetime: lifetime), now: now)
    }

    /// Credentials just obtained: stamped with `obtained_at` (now), and `expires_at` when the
    /// expiry is known, so their lifetime can be read back. Anything but an object with an
    /// `access_token` is returned as is.
    package static func stamped(_ credentials: JSONValue, expiresAt: Double?, now: Double) -> JSONValue {
        guard case .object(var members) = credentials, members["access_token"]?.stringValue != nil else { return credentials }
        members["obtained_at"] = .number(now)
        if let expiresAt { members["expires_at"] = .number(expiresAt) }
        return .object(members)
    }

    /// Whether the access token expires within `margin` seconds of `now`.
    package func expires(within margin: Double, now: Double) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt - margin <= now
    }
}
