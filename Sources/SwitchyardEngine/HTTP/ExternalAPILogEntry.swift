import Foundation

/// One attempt of an outbound request, as the external API log keeps it: every value redacted
/// (see ``Redactor``), bodies as short previews.
package struct ExternalAPILogEntry: Sendable, Hashable {
    /// A header as logged (value `[redacted]` for credential headers).
    package struct Header: Sendable, Hashable {
        /// The header name as sent or received.
        package var name: String
        /// The value, redacted.
        package var value: String

        /// Creates a header.
        package init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Shared by every attempt and redirect hop of one ``OutboundHTTPClient/send(_:)``.
    package var exchangeID: UUID
    /// When the attempt started.
    package var startedAt: Date
    /// The method of this attempt (a redirect can turn POST into GET).
    package var method: String
    /// The URL of this attempt, secret query values and secrets redacted.
    package var url: String
    /// The host of this attempt.
    package var host: String
    /// Which send of the same hop this is: 1, then 2 for the first retry, and so on.
    package var attempt: Int
    /// Which redirect hop this is: 0 for the URL requested, 1 after the first redirect.
    package var redirect: Int
    /// The request headers, redacted.
    package var requestHeaders: [Header]
    /// The request body size in bytes.
    package var requestBodyBytes: Int
    /// The start of the request body, redacted; `nil` when empty or binary.
    package var requestBodyPreview: String?
    /// The response status; `nil` when no response arrived.
    package var status: Int?
    /// The response headers, redacted.
    package var responseHeaders: [Header]
    /// The response body bytes received (up to the limit).
    package var responseBodyBytes: Int
    /// The start of the response body, redacted; `nil` when empty or binary.
    package var responseBodyPreview: String?
    /// What failed (`key: message`, redacted); `nil` when a response arrived whole.
    package var error: String?
    /// Whether the request left this process: `false` when the SSRF guard or a URL check
    /// refused it.
    package var sent: Bool
    /// How long the attempt took, in milliseconds.
    package var durationMilliseconds: Int
    /// The request's ``OutboundRequest/tags``.
    package var tags: [String: String]
    /// The id of the API request that caused it (`X-Request-Id`), when it was made for one.
    package var requestID: String? = nil
}
