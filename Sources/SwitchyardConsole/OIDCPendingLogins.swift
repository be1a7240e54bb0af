import Crypto
import Foundation
import SwitchyardCore
import SwitchyardStore

/// A sign-in waiting for the provider's answer: what the console must check the answer against.
struct OIDCPendingLogin: Sendable, Equatable {
    /// The `state` sent to the provider (the browser gets it back in the callback URL).
    var state: String
    /// The `nonce` the ID token must carry.
    var nonce: String
    /// The PKCE code verifier (its S256 digest went to the provider).
    var verifier: String
    /// The value of the browser-binding cookie set when the sign-in started.
    var browser: String
}

/// Sign-ins waiting for the provider's answer, kept as `console_oidc_logins` records so that any
/// console process can finish a sign-in another one started.
///
/// The record id is the SHA-256 of `state` (the database never holds a usable state), the
/// nonce and verifier are its encrypted secret, and the document holds the digest of the
/// browser-binding cookie and the expiry. ``take(state:)`` deletes the record before anything
/// else happens: of two answers with the same state only the first finds it, so a replayed
/// state is refused.
struct OIDCPendingLogins: Sendable {
    /// How long a started sign-in may take.
    static let lifetime: Int64 = 10 * 60 * 1_000_000

    /// The store the records live in.
    let records: any RecordStore
    /// Finds the workspace the records belong to.
    let workspace: ConsoleWorkspace

    /// Starts a sign-in: draws state, nonce, verifier and browser cookie, and stores them.
    func start() async throws(SwitchyardError) -> OIDCPendingLogin {
        let login = OIDCPendingLogin(
            state: ConsoleSessions.randomToken(), nonce: ConsoleSessions.randomToken(), verifier: ConsoleSessions.randomToken(),
            browser: ConsoleSessions.randomToken())
        let scope = StoreScope.workspace(try await workspace.key())
        await removeExpired(scope)
        let record = NewRecord(
            kind: .consoleOIDCLogins, id: ConsoleSessions.digest(login.state), key: nil,
            document: ["browser": .string(ConsoleSessions.digest(login.browser)), "expiresUs": .number(Double(StoreClock.now() + Self.lifetime))],
            secret: ["nonce": .string(login.nonce), "verifier": .string(login.verifier)])
        _ = try await records.insert(record, scope: scope)
        return login
    }

    /// Takes (reads and deletes) the sign-in a state belongs to.
    /// - Parameters:
    ///   - state: The `state` from the callback URL.
    ///   - browser: The browser-binding cookie's value, if the request carried one.
    /// - Throws: ``OIDCFailure`` for an unknown or used state, an expired sign-in, or another browser.
    func take(state: String, browser: String?) async throws -> OIDCPendingLogin {
        guard state.utf8.count == 43, state.utf8.allSatisfy({ ConsoleSessions.tokenBytes.contains($0) }) else {
            throw OIDCFailure.unknownState("the callback's state is missing or malformed")
        }
        let scope = StoreScope.workspace(try await workspace.key())
        let id = ConsoleSessions.digest(state)
        guard let record = try await remove(id, scope) else {
            throw OIDCFailure.unknownState("the callback's state is unknown or was used already (a replay, or another tab finished first)")
        }
        guard Int64(record.document["expiresUs"]?.numberValue ?? 0) > StoreClock.now() else { throw OIDCFailure.expired }
        guard let browser, let expected = record.document["browser"]?.stringValue,
            ConsoleSessionMiddleware.sameToken(ConsoleSessions.digest(browser), expected)
        else { throw OIDCFailure.otherBrowser }
        guard let nonce = record.secret?["nonce"]?.stringValue, let verifier = record.secret?["verifier"]?.stringValue else {
            throw OIDCFailure.unknownState("the pending sign-in record has no nonce or verifier")
        }
        return OIDCPendingLogin(state: state, nonce: nonce, verifier: verifier, browser: browser)
    }

    /// Reads and deletes a record; `nil` when it is not there (any more): of several callers
    /// only the one whose delete removed it gets it.
    private func remove(_ id: String, _ scope: StoreScope) async throws(SwitchyardError) -> Record? {
        do {
            let record = try await records.get(.consoleOIDCLogins, id: id, scope: scope)
            try await records.delete(.consoleOIDCLogins, id: id, scope: scope)
            return record
        } catch where error.key == .notFound {
            return nil
        }
    }

    /// Deletes a few expired, abandoned sign-ins (the oldest first), so they do not pile up.
    private func removeExpired(_ scope: StoreScope) async {
        guard let page = try? await records.list(.consoleOIDCLogins, scope: scope, filter: RecordFilter(), limit: 20, cursor: nil) else { return }
        let now = StoreClock.now()
        for record in page.items where Int64(record.document["expiresUs"]?.numberValue ?? 0) <= now {
            try? await records.delete(.consoleOIDCLogins, id: record.id, scope: scope)
        }
    }

    /// The PKCE S256 challenge of a verifier: base64url of its SHA-256, without padding.
    static func challenge(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
