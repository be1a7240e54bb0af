import HTTPTypes
import SwitchyardCore

/// The one place where error keys become HTTP statuses and error types, and back.
///
/// An error's `key` says exactly what went wrong; its `type` says which family the error
/// belongs to, so a client can handle families without knowing every key:
///
/// | key | status | type |
/// |---|---|---|
/// | `bad_request`, `not_supported`, `too_large` | 400, 400, 413 | `bad_request` |
/// | `not_authenticated` | 401 | `not_authenticated` |
/// | `access_denied` | 403 | `access_denied` |
/// | `not_found` | 404 | `not_found` |
/// | `already_exists`, `conflict` | 409 | `conflict` |
/// | `interrupted`, `output_too_large` | 409, 413 | `flow_run` |
/// | `rate_limit_exceeded` | 429 | `rate_limit` |
/// | `unavailable`, `timeout` | 503, 504 | `dependency_error` |
/// | `internal` | 500 | `internal` |
///
/// `docs/errors.md` documents the same table for API users.
package enum HTTPStatusMapping {
    /// The family an error belongs to (the `type` field of an error response).
    package enum ErrorType: String, Sendable, CaseIterable {
        /// The request itself is wrong (malformed, invalid, too large, asks for what is not
        /// supported): fix the request.
        case badRequest = "bad_request"
        /// No valid token: send one.
        case notAuthenticated = "not_authenticated"
        /// The token is valid but may not do this.
        case accessDenied = "access_denied"
        /// The object does not exist or is not visible to the caller.
        case notFound = "not_found"
        /// The request conflicts with the current state (a duplicate, a concurrent change).
        case conflict
        /// A flow run could not go on (a node's output too large, an interrupted node).
        case flowRun = "flow_run"
        /// Too many requests: retry after `Retry-After`.
        case rateLimit = "rate_limit"
        /// Something Switchyard depends on (database, storage, code runner, an external API)
        /// failed for now or took too long: retry later.
        case dependencyError = "dependency_error"
        /// A bug or an unexpected failure inside Switchyard; the server log has the cause.
        case `internal`
    }

    /// The response status and error type of every key.
    private static let table: [SwitchyardError.Key: (status: HTTPResponse.Status, type: ErrorType)] = [
        .badRequest: (.badRequest, .badRequest),
        .notSupported: (.badRequest, .badRequest),
        .tooLarge: (.contentTooLarge, .badRequest),
        .notAuthenticated: (.unauthorized, .notAuthenticated),
        .accessDenied: (.forbidden, .accessDenied),
        .notFound: (.notFound, .notFound),
        .alreadyExists: (.conflict, .conflict),
        .conflict: (.conflict, .conflict),
        .interrupted: (.conflict, .flowRun),
        .outputTooLarge: (.contentTooLarge, .flowRun),
        .rateLimitExceeded: (.tooManyRequests, .rateLimit),
        .unavailable: (.serviceUnavailable, .dependencyError),
        .timeout: (.gatewayTimeout, .dependencyError),
        .internal: (.internalServerError, .internal),
    ]

    /// The response status for an error key (500 for a key not in the table).
    /// - Parameter key: The error key.
    /// - Returns: The HTTP status that PRODUCT.md assigns to it.
    package static func status(for key: SwitchyardError.Key) -> HTTPResponse.Status {
        table[key]?.status ?? .internalServerError
    }

    /// The error type (family) of an error key (`internal` for a key not in the table).
    package static func type(for key: SwitchyardError.Key) -> ErrorType {
        table[key]?.type ?? .internal
    }

    /// Every key this mapping knows, for tests and documentation.
    package static var keys: [SwitchyardError.Key] { table.keys.sorted { $0.rawValue < $1.rawValue } }

    /// The error key for a status produced outside our code (for example by Hummingbird's router).
    /// - Parameter status: An HTTP status.
    /// - Returns: The matching key; `internal` for any 5xx, `bad_request` for an unlisted 4xx.
    package static func key(for status: HTTPResponse.Status) -> SwitchyardError.Key {
        switch status.code {
        case 401: .notAuthenticated
        case 403: .accessDenied
        case 404, 405: .notFound
        case 409: .alreadyExists
        case 413: .tooLarge
        case 429: .rateLimitExceeded
        case 501: .notSupported
        case 503: .unavailable
        case 504: .timeout
        case 500...: .internal
        default: .badRequest
        }
    }
}
