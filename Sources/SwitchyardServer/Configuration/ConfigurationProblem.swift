/// One thing wrong with the configuration: the variable at fault and why.
package struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// The environment variable's name.
    package var variable: String
    /// What is wrong, for a person. Never contains a secret value.
    package var reason: String

    /// Creates a problem.
    /// - Parameters:
    ///   - variable: The environment variable's name.
    ///   - reason: What is wrong.
    package init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }

    package var description: String { "\(variable): \(reason)" }
}

/// Every problem found while reading the configuration, reported together.
package struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The problems, in the order the variables were read.
    package var problems: [ConfigurationProblem]

    /// Creates the error.
    /// - Parameter problems: The problems found; must not be empty.
    package init(problems: [ConfigurationProblem]) {
        self.problems = problems
    }

    package var description: String {
        let count = problems.count
        let header = "invalid configuration (\(count) problem\(count == 1 ? "" : "s")):"
        return ([header] + problems.map { "  - \($0)" }).joined(separator: "\n")
    }
}
