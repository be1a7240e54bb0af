import Foundation
/// The set of roles one process runs, from `serve --role` or the seed's `IS_*` variables.
///
/// No role chosen means all-in-one: every role in one process, the embedded default.
package struct RoleSelection: Sendable, Equatable, CustomStringConvertible {
    /// The roles, never empty.
    package var roles: Set<Role>

    /// Whether this process runs every role.
    package var isAllInOne: Bool { roles.count == Role.allCases.count }

    /// Creates a selection.
    /// - Parameter roles: The roles; an empty set means every role.
    package init(_ roles: Set<Role>) {
        self.roles = roles.isEmpty ? Set(Role.allCases) : roles
    }

    /// Parses `--role` values: role names or `all`, comma-separated or repeated.
    /// - Parameter values: The flag's values.
    /// - Throws: ``ConfigurationError`` naming an unknown role.
    package static func parse(flags values: [String]) throws(ConfigurationError) -> RoleSelection {
        var roles: Set<Role> = []
        var problems: [ConfigurationProblem] = []
        for value in values.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            if value == "all" || value == "all-in-one" {
                roles.formUnion(Role.allCases)
            } else if let role = Role(rawValue: value) {
                roles.insert(role)
            } else {
                let names = (Role.allCases.map(\.rawValue) + ["all"]).joined(separator: ", ")
                problems.append(ConfigurationProblem(variable: "--role", reason: "unknown role '\(value)'; use one of \(names)"))
            }
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return RoleSelection(roles)
    }

    /// Reads the `IS_*` variables, unless an override from the command line is given.
    /// - Parameters:
    ///   - env: The environment reader; problems are recorded there.
    ///   - override: Roles from `serve --role`, which win.
    package init(env: inout EnvironmentReader, override: RoleSelection?) {
        var roles: Set<Role> = []
        for role in Role.allCases where env.bool(role.environmentVariable, default: false) {
            roles.insert(role)
        }
        self = override ?? RoleSelection(roles)
    }

    /// The role names in a stable order.
    package var names: [String] { roles.sorted().map(\.rawValue) }

    package var description: String { isAllInOne ? "all-in-one (\(names.joined(separator: ", ")))" : names.joined(separator: ", ") }
}
