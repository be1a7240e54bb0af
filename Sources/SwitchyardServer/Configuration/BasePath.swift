/// A path prefix a role serves under.
enum BasePath {
    /// The role's base path: its own variable, else the seed's `BASE_PATH` when the role runs
    /// alone (in a shared process that would be ambiguous), else the default. A value that is not
    /// a usable path is reported under the variable it came from.
    static func read(
        _ env: inout EnvironmentReader, _ variable: String, role: Role, roles: RoleSelection, default fallback: String, example: String
    ) -> String {
        var name = variable
        var value = env.string(name)
        if value == nil, roles.roles == [role], let seed = env.string("BASE_PATH") {
            name = "BASE_PATH"
            value = seed
        }
        guard let value else { return fallback }
        guard let path = parse(value) else {
            env.report(name, "must be a path such as \(fallback) or \(example): starting with /, not / alone, letters, digits, - . _ ~ and /")
            return fallback
        }
        return path
    }

    /// The prefix without a trailing slash, or `nil` when it is not a usable path.
    static func parse(_ value: String) -> String? {
        var path = value
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")
        if !path.hasPrefix("/") || path == "/" || !path.allSatisfy(allowed.contains) || path.contains("//") { return nil }
        return path
    }
}
