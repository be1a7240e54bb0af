/// A part of the process could not start; the message says which and why.
package struct StartupFailure: Error, Sendable, CustomStringConvertible {
    /// What failed, for a person.
    package var message: String

    /// Creates a failure.
    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
