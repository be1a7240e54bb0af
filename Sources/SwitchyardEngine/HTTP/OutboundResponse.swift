import NIOHTTP1

/// The response of an external API, after retries and redirects.
package struct OutboundResponse: Sendable {
    /// The status.
    package var status: HTTPResponseStatus
    /// The response headers.
    package var headers: HTTPHeaders
    /// The whole body (never more than the response limit).
    package var body: [UInt8]
    /// The URL that answered (differs from the request's after redirects).
    package var url: String

    /// Creates a response.
    package init(status: HTTPResponseStatus, headers: HTTPHeaders, body: [UInt8], url: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    /// The body as UTF-8 text (invalid bytes replaced).
    package var text: String { String(decoding: body, as: UTF8.self) }
}
