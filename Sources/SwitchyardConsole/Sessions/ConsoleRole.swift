/// What a console user may do.
enum ConsoleRole: String, Sendable, CaseIterable {
    /// Platform admin: everything, including platform users and workspace limits.
    case admin
    /// Workspace admin: everything in the workspace but platform users and limits.
    case member
    /// Read only: every page, no change.
    case viewer

    /// The role named by an account's `role` (an unknown value reads as viewer, the least).
    init(_ name: String) { self = ConsoleRole(rawValue: name) ?? .viewer }

    /// The role in plain words.
    var label: String {
        switch self {
        case .admin: "platform admin"
        case .member: "workspace admin"
        case .viewer: "viewer"
        }
    }

    /// Whether the role may change anything.
    var canChange: Bool { self != .viewer }
}
