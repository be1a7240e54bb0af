import Foundation
import SwitchyardCore
import SwitchyardHTTP
import Synchronization

/// Tokens this process verified a moment ago, so a client that sends the same token on every
/// request pays for its signature check and claim parsing once (decision 0018).
///
/// An entry is only a shortcut to the same answer: it is used while the token has not expired,
/// while its workspace still accepts the same keys (a rotation whose grace ended, or a new
/// public key, sends the token through full verification again), and, for a tenant token, after
/// ``TenantDirectory`` confirms the tenant as on every request (archived tenants are refused).
final class VerifiedTokens: Sendable {
    /// What a verification established.
    struct Entry: Sendable {
        /// Who the token speaks for.
        var caller: Caller
        /// The `exp` claim, in seconds since the epoch.
        var expires: Double
        /// The workspace's keys when the token was verified (``TokenAuthenticator/fingerprint(_:)``).
        var fingerprint: String
        /// The tenant claims, to confirm the tenant with (`nil` for admin tokens).
        var tenant: TenantClaims?
    }

    /// A tenant token's tenant claims.
    struct TenantClaims: Sendable {
        /// The tenant's id as the SaaS knows it.
        var key: String
        /// The `name` claim.
        var name: String?
        /// The `fields` claim.
        var fields: JSONValue?
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    /// Creates an empty table holding at most `capacity` tokens.
    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The entry of a token, if it was verified and has not expired.
    func entry(_ token: String, now: Double) -> Entry? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expires > now else {
                entries[token] = nil
                return nil
            }
            return entry
        }
    }

    /// Remembers a verified token; when the table is full, expired tokens go first, then all.
    func remember(_ token: String, _ entry: Entry, now: Double) {
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[token] = entry
        }
    }

    /// Forgets a token.
    func forget(_ token: String) {
        _ = entries.withLock { $0.removeValue(forKey: token) }
    }

    /// How many tokens are remembered.
    var count: Int { entries.withLock { $0.count } }
}
