import Configuration
import Foundation

/// Reads and validates environment variables through swift-configuration, collecting every
/// problem instead of stopping at the first, so start-up can report them all at once.
///
/// Each accessor returns a usable fallback when the value is invalid; callers check
/// ``problems`` after reading everything.
package struct EnvironmentReader {
    private let reader: ConfigReader
    /// The names of variables that hold secrets; their values are never echoed.
    private let secretNames: Set<String>
    /// Problems found so far.
    package private(set) var problems: [ConfigurationProblem] = []

    /// Creates a reader over a set of variables.
    /// - Parameter environment: The variables, usually the process environment.
    package init(environment: [String: String]) {
        let secrets = Set(ConfigurationCatalogue.variables.filter(\.isSecret).map(\.name))
        self.secretNames = secrets
        self.reader = ConfigReader(
            provider: EnvironmentVariablesProvider(
                environmentVariables: environment,
                secretsSpecifier: .specific(secrets)
            )
        )
    }

    /// Records a problem with a variable.
    /// - Parameters:
    ///   - variable: The variable's name.
    ///   - reason: What is wrong.
    package mutating func report(_ variable: String, _ reason: String) {
        problems.append(ConfigurationProblem(variable: variable, reason: reason))
    }

    /// The raw value of a variable, or `nil` when it is unset or empty.
    /// - Parameter name: The variable's name.
    package func string(_ name: String) -> String? {
        let value = reader.string(forKey: ConfigKey(name), isSecret: secretNames.contains(name))
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return value
    }

    /// A boolean: `1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off` (any case).
    /// - Parameters:
    ///   - name: The variable's name.
    ///   - defaultValue: The value when unset.
    package mutating func bool(_ name: String, default defaultValue: Bool) -> Bool {
        guard let raw = string(name) else { return defaultValue }
        switch raw.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            report(name, "'\(raw)' is not a boolean; use 1/true or 0/false")
            return defaultValue
        }
    }

    /// An integer within a range.
    /// - Parameters:
    ///   - name: The variable's name.
    ///   - defaultValue: The value when unset.
    ///   - range: The accepted values.
    package mutating func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) -> Int {
        guard let raw = string(name) else { return defaultValue }
        guard let value = Int(raw.trimmingCharacters(in: .whitespaces)) else {
            report(name, "'\(raw)' is not a whole number")
            return defaultValue
        }
        guard range.contains(value) else {
            report(name, "\(value) is out of range \(range.lowerBound)-\(range.upperBound)")
            return defaultValue
        }
        return value
    }

    /// An absolute `http` or `https` URL, without a trailing slash.
    /// - Parameter name: The variable's name.
    /// - Returns: The URL text, or `nil` when unset or invalid.
    package mutating func httpURL(_ name: String) -> String? {
        guard let raw = string(name)?.trimmingCharacters(in: .whitespaces) else { return nil }
        guard let components = URLComponents(string: raw),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else {
            report(name, "'\(raw)' is not an absolute http:// or https:// URL")
            return nil
        }
        if components.query != nil || components.fragment != nil {
            report(name, "'\(raw)' must not have a query or fragment")
            return nil
        }
        return raw.hasSuffix("/") ? String(raw.dropLast()) : raw
    }

    /// One of a fixed set of words (case-insensitive).
    /// - Parameters:
    ///   - name: The variable's name.
    ///   - allowed: The accepted values, in lower case.
    ///   - defaultValue: The value when unset.
    package mutating func choice(_ name: String, _ allowed: [String], default defaultValue: String) -> String {
        guard let raw = string(name) else { return defaultValue }
        let value = raw.trimmingCharacters(in: .whitespaces).lowercased()
        guard allowed.contains(value) else {
            report(name, "'\(raw)' is not one of \(allowed.joined(separator: ", "))")
            return defaultValue
        }
        return value
    }
}
