import HTTPTypes
import SwitchyardCore

/// The one place where error keys become HTTP statuses, and back.
package enum HTTPStatusMapping {
    /// The response status for an error key.
    /// - Parameter key: The error key.
    /// - Returns: The HTTP status that PRODUCT.md assigns to it.
    package static func status(for key: SwitchyardError.Key) -> HTTPResponse.Status {
        switch key {
        case .badRequest, .notSupported: .badRequest
        case .notAuthenticated: .unauthorized
        case .accessDenied: .forbidden
        case .notFound: .notFound
        case .alreadyExists, .conflict, .interrupted: .conflict
        case .tooLarge, .outputTooLarge: .contentTooLarge
        case .rateLimitExceeded: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .timeout: .gatewayTimeout
        default: .internalServerError
        }
    }

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
