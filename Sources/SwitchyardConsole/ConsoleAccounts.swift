import HummingbirdBcrypt
import SwitchyardCore
import SwitchyardStore

/// Console accounts: platform users of the default workspace whose bcrypt password hash is
/// the record's encrypted secret (never its document). The setup page, the login form and the
/// `switchyard console users` commands all go through this type.
package struct ConsoleAccounts: Sendable {
    /// The roles an account may have.
    package static let roles = ["admin", "member", "viewer"]
    /// The shortest password accepted.
    package static let minimumPasswordLength = 12
    /// The bcrypt cost factor.
    static let cost: UInt8 = 11

    /// The store platform users live in.
    let records: any RecordStore
    /// Finds the workspace console users belong to.
    let workspace: ConsoleWorkspace

    /// Creates the accounts over a store.
    /// - Parameter workspace: Finds the workspace console users belong to.
    package init(records: any RecordStore, workspace: ConsoleWorkspace) {
        self.records = records
        self.workspace = workspace
    }

    /// Whether any live account exists (the first-run setup page is gone once one does).
    package func anyExists() async throws(SwitchyardError) -> Bool {
        let scope = StoreScope.workspace(try await workspace.key())
        return try await !records.list(.platformUsers, scope: scope, filter: RecordFilter(), limit: 1, cursor: nil).items.isEmpty
    }

    /// The live account with an email, or `nil`.
    package func find(email: String) async throws(SwitchyardError) -> ConsoleAccount? {
        let scope = StoreScope.workspace(try await workspace.key())
        let filter = RecordFilter(key: email.lowercased())
        return try await records.list(.platformUsers, scope: scope, filter: filter, limit: 1, cursor: nil).items.first.map(ConsoleAccount.init)
    }

    /// The live account with a record id, or `nil`.
    func find(id: String) async throws(SwitchyardError) -> ConsoleAccount? {
        let scope = StoreScope.workspace(try await workspace.key())
        guard let record = try? await records.get(.platformUsers, id: id, scope: scope), record.archivedAt == nil else { return nil }
        return ConsoleAccount(record: record)
    }

    /// Creates an account.
    /// - Throws: `bad_request` naming the field that is wrong, `already_exists` for a taken email.
    @discardableResult
    package func add(email: String, name: String, role: String, password: String) async throws(SwitchyardError) -> ConsoleAccount {
        let email = email.trimmingWhitespace().lowercased()
        let name = name.trimmingWhitespace()
        try Self.validate(email: email, name: name, role: role, password: password)
        let scope = StoreScope.workspace(try await workspace.key())
        let record = NewRecord(
            kind: .platformUsers, key: email, document: ["role": .string(role), "name": .string(name)],
            secret: ["passwordHash": .string(Self.hash(password))])
        do {
            return ConsoleAccount(record: try await records.insert(record, scope: scope))
        } catch where error.key == .alreadyExists {
            throw SwitchyardError(.alreadyExists, "a console user with email \(email) already exists")
        }
    }

    /// Replaces an account's password.
    /// - Throws: `not_found` for an unknown email, `bad_request` for a short password.
    package func resetPassword(email: String, password: String) async throws(SwitchyardError) {
        try Self.validate(password: password)
        guard let account = try await find(email: email) else { throw SwitchyardError(.notFound, "no console user has email \(email)") }
        let hash = Self.hash(password)
        let scope = StoreScope.workspace(try await workspace.key())
        _ = try await records.update(.platformUsers, id: account.id, scope: scope, expectedRevision: nil) { record in
            var secret: [String: JSONValue] = [:]
            if case .object(let members)? = record.secret { secret = members }
            secret["passwordHash"] = .string(hash)
            record.secret = .object(secret)
        }
    }

    /// Removes an account (archives the platform user); its sessions stop working at once.
    /// - Throws: `not_found` for an unknown email.
    package func remove(email: String) async throws(SwitchyardError) {
        guard let account = try await find(email: email) else { throw SwitchyardError(.notFound, "no console user has email \(email)") }
        _ = try await records.archive(.platformUsers, id: account.id, scope: .workspace(try await workspace.key()))
    }

    /// The account whose email and password match, or `nil`. An unknown email costs as much
    /// time as a wrong password, so the answer's timing does not tell which emails exist.
    func verify(email: String, password: String) async throws(SwitchyardError) -> ConsoleAccount? {
        let account = try await find(email: email)
        guard let hash = account?.passwordHash else {
            _ = Bcrypt.verify(password, hash: Self.decoyHash)
            return nil
        }
        return Bcrypt.verify(password, hash: hash) ? account : nil
    }

    /// A hash no password matches, checked for unknown emails.
    static let decoyHash = Bcrypt.hash("no account has this password", cost: cost)

    /// The bcrypt hash of a password.
    static func hash(_ password: String) -> String { Bcrypt.hash(password, cost: cost) }

    /// Checks a new account's fields.
    /// - Throws: `bad_request` naming the first field that is wrong.
    package static func validate(email: String, name: String, role: String, password: String) throws(SwitchyardError) {
        let parts = email.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !email.contains(where: \.isWhitespace) else {
            throw SwitchyardError(.badRequest, "email must be an email address")
        }
        guard (1...200).contains(name.count) else { throw SwitchyardError(.badRequest, "name must be 1 to 200 characters") }
        guard roles.contains(role) else { throw SwitchyardError(.badRequest, "role must be admin, member or viewer") }
        try validate(password: password)
    }

    /// Checks a new password.
    /// - Throws: `bad_request` when it is shorter than ``minimumPasswordLength`` or longer than bcrypt reads.
    package static func validate(password: String) throws(SwitchyardError) {
        guard password.count >= minimumPasswordLength else {
            throw SwitchyardError(.badRequest, "password must be at least \(minimumPasswordLength) characters")
        }
        guard password.utf8.count <= 72 else { throw SwitchyardError(.badRequest, "password must be at most 72 bytes (bcrypt reads no more)") }
    }
}

/// Whitespace trimming without Foundation.
extension String {
    /// The string without leading and trailing whitespace.
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
