/// One way a value fails a ``JSONSchema``.
package struct JSONSchemaProblem: Sendable, Equatable, CustomStringConvertible {
    /// Where in the value: keys joined by dots, array positions in brackets (`items[2].name`),
    /// keys that are not plain identifiers quoted in brackets (`labels["a b"]`); empty for the
    /// value itself.
    package var path: String
    /// What is wrong, short and for a person: "is required", "must be a string",
    /// "must be at most 10 characters".
    package var message: String

    /// Creates a problem.
    /// - Parameters:
    ///   - path: The location in the value (empty for the root).
    ///   - message: What is wrong there.
    package init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path message`, or just the message at the root.
    package var description: String { path.isEmpty ? message : "\(path) \(message)" }
}
