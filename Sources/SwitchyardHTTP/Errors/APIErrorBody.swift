import HTTPTypes
import SwitchyardCore

/// The JSON shape of every error response: `{type, key, message, data}`.
///
/// `key` is the specific error (`not_found`, `too_large`, …), `type` its family, both from
/// ``HTTPStatusMapping``, as in the reference system's API.
package struct APIErrorBody: Codable, Sendable, Equatable {
    /// The error's family (``HTTPStatusMapping/ErrorType``).
    package var type: String
    /// The specific error key.
    package var key: String
    /// A message for a person.
    package var message: String
    /// Structured details; empty when there are none.
    package var data: [String: String]

    /// Creates the body for an error.
    /// - Parameter error: The error to render; its `internalDetail` is not included.
    package init(_ error: SwitchyardError) {
        self.type = HTTPStatusMapping.type(for: error.key).rawValue
        self.key = error.key.rawValue
        self.message = error.message
        self.data = error.data
    }
}
