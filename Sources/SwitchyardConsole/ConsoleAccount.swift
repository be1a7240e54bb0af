import SwitchyardCore
import SwitchyardStore

/// A console user who may sign in: a platform user of the default workspace.
package struct ConsoleAccount: Sendable, Equatable {
    /// The platform user's record id.
    package var id: String
    /// The email (the record's key), lower case.
    package var email: String
    /// The display name.
    package var name: String
    /// `admin`, `member` or `viewer` (see ``ConsoleRole``).
    package var role: String
    /// The bcrypt hash of the password, when the account has one.
    var passwordHash: String?

    /// Reads an account from a platform user record.
    init(record: Record) {
        id = record.id
        email = record.key ?? ""
        name = record.document["name"]?.stringValue ?? ""
        role = record.document["role"]?.stringValue ?? "member"
        passwordHash = record.secret?["passwordHash"]?.stringValue
    }
}
