import SwitchyardCore
import SwitchyardStore

extension ConsoleAccounts {
    /// The role of an account created at its first OpenID Connect sign-in (an admin promotes it).
    static let signInRole = "viewer"

    /// The account an OpenID Connect identity signs in as: the existing account with its email
    /// (an invitation), or a new `viewer` account when its domain is allowed.
    /// - Returns: The account, and whether it was created now.
    /// - Throws: ``OIDCFailure/notAllowed(_:)`` when neither applies; store errors.
    func account(for identity: OIDCIdentity, settings: OIDCSettings) async throws -> (ConsoleAccount, created: Bool) {
        if let account = try await find(email: identity.email) { return (account, false) }
        guard settings.allowsDomain(of: identity.email) else { throw OIDCFailure.notAllowed(identity.email) }
        let name = identity.name.flatMap { $0.isEmpty ? nil : String($0.prefix(200)) } ?? String(identity.email.prefix { $0 != "@" })
        var failure: SwitchyardError
        do {
            return (try await addWithoutPassword(email: identity.email, name: name, role: Self.signInRole), true)
        } catch {
            failure = error
        }
        // Another process may have created it a moment ago.
        if failure.key == .alreadyExists, let account = try await find(email: identity.email) { return (account, false) }
        throw failure
    }

    /// Creates an account that has no password: it signs in only through OpenID Connect (an
    /// invitation, or a first sign-in from an allowed domain).
    /// - Throws: `bad_request` for a malformed email or name, `already_exists` for a taken email.
    @discardableResult
    package func addWithoutPassword(email: String, name: String, role: String) async throws(SwitchyardError) -> ConsoleAccount {
        let email = email.trimmingWhitespace().lowercased()
        let name = name.trimmingWhitespace()
        guard Self.roles.contains(role) || role == Self.signInRole else {
            throw SwitchyardError(.badRequest, "role must be one of \((Self.roles + [Self.signInRole]).joined(separator: ", "))")
        }
        // A placeholder password passes the password rule; none is stored.
        try Self.validate(email: email, name: name, role: Self.roles[0], password: String(repeating: "x", count: Self.minimumPasswordLength))
        let scope = StoreScope.workspace(try await workspace.key())
        let record = NewRecord(kind: .platformUsers, key: email, document: ["role": .string(role), "name": .string(name)])
        do {
            return ConsoleAccount(record: try await records.insert(record, scope: scope))
        } catch where error.key == .alreadyExists {
            throw SwitchyardError(.alreadyExists, "a console user with email \(email) already exists")
        }
    }
}
