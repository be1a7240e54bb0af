import Crypto
import Foundation
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// Console sessions, kept server-side as `console_sessions` records of the default workspace.
///
/// The cookie carries a random 256-bit value; the record's id is its SHA-256 digest, so the
/// database never holds a value that opens a session. The CSRF token is the record's encrypted
/// secret. A session ends after ``idleLimit`` without use, after ``absoluteLimit`` in any case,
/// at logout, and when its user is removed.
package struct ConsoleSessions: Sendable {
    /// A session unused for this long has ended.
    package static let idleLimit: Int64 = 12 * 3600 * 1_000_000
    /// A session older than this has ended, however busy.
    package static let absoluteLimit: Int64 = 7 * 24 * 3600 * 1_000_000
    /// Last use is written at most this often (not on every page).
    static let touchInterval: Int64 = 60 * 1_000_000

    /// The store sessions live in.
    let records: any RecordStore
    /// The accounts sessions belong to.
    let accounts: ConsoleAccounts

    /// Creates the sessions over a store.
    package init(records: any RecordStore, accounts: ConsoleAccounts) {
        self.records = records
        self.accounts = accounts
    }

    /// Starts a session for an account.
    /// - Returns: The cookie value (shown once, never stored) and the sign-in.
    func start(for account: ConsoleAccount) async throws(SwitchyardError) -> (cookie: String, signIn: ConsoleSignIn) {
        let cookie = Self.randomToken()
        let csrf = Self.randomToken()
        let now = StoreClock.now()
        let record = NewRecord(
            kind: .consoleSessions, id: Self.digest(cookie), key: nil, parentID: account.id,
            document: ["userID": .string(account.id), "lastSeenUs": .number(Double(now))], secret: ["csrf": .string(csrf)])
        let scope = StoreScope.workspace(try await accounts.workspace.key())
        let stored = try await records.insert(record, scope: scope)
        let signIn = ConsoleSignIn(
            sessionID: stored.id, userID: account.id, email: account.email, name: account.name, role: account.role, csrfToken: csrf)
        return (cookie, signIn)
    }

    /// The live session a cookie value opens, or `nil` (unknown, ended, or its user removed).
    func resolve(cookie: String) async throws(SwitchyardError) -> ConsoleSignIn? {
        guard cookie.utf8.count == 43, cookie.utf8.allSatisfy({ Self.tokenBytes.contains($0) }) else { return nil }
        let scope = StoreScope.workspace(try await accounts.workspace.key())
        let id = Self.digest(cookie)
        guard let record = try? await records.get(.consoleSessions, id: id, scope: scope) else { return nil }
        let now = StoreClock.now()
        let lastSeen = Int64(record.document["lastSeenUs"]?.numberValue ?? 0)
        guard now - record.createdAt < Self.absoluteLimit, now - lastSeen < Self.idleLimit,
            let userID = record.document["userID"]?.stringValue, let csrf = record.secret?["csrf"]?.stringValue,
            let account = try await accounts.find(id: userID)
        else {
            try? await records.delete(.consoleSessions, id: id, scope: scope)
            return nil
        }
        if now - lastSeen > Self.touchInterval {
            _ = try? await records.update(.consoleSessions, id: id, scope: scope, expectedRevision: nil) { record in
                if case .object(var document) = record.document {
                    document["lastSeenUs"] = .number(Double(now))
                    record.document = .object(document)
                }
            }
        }
        return ConsoleSignIn(sessionID: id, userID: account.id, email: account.email, name: account.name, role: account.role, csrfToken: csrf)
    }

    /// Ends a session.
    func end(_ signIn: ConsoleSignIn) async throws(SwitchyardError) {
        let scope = StoreScope.workspace(try await accounts.workspace.key())
        do {
            try await records.delete(.consoleSessions, id: signIn.sessionID, scope: scope)
        } catch where error.key == .notFound {
            return
        }
    }

    /// 32 random bytes, base64url without padding (43 characters).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes a token is made of.
    static let tokenBytes = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The record id of a session: the SHA-256 digest of its cookie value, in hex.
    static func digest(_ cookie: String) -> String {
        SHA256.hash(data: Data(cookie.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
