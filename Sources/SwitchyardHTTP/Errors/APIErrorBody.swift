import HTTPTypes
import SwitchyardCore

/// The JSON shape of every error response: `{type, key, message, data}`.
///
/// `type` is `bad_request` for client errors and `internal` for server errors, `key` the
/// specific error (`not_found`, `too_large`, …), as in the reference system's API.
package struct APIErrorBody: Codable, Sendable, Equatable {
    /// `bad_request` for 4xx responses, `internal` for 5xx responses.
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
        let status = HTTPStatusMapping.status(for: error.key)
        self.type = status.code >= 500 ? "internal" : "bad_request"
        self.key = error.key.rawValue
        self.message = error.message
        self.data = error.data
    }
}
