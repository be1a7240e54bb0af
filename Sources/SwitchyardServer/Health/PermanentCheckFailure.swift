/// A dependency check failure that retrying cannot fix (for example a database schema older
/// than this build): the process stops at once instead of retrying.
package struct PermanentCheckFailure: Error, Sendable, CustomStringConvertible {
    /// What is wrong and what to do.
    package var message: String

    /// Creates a failure.
    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
