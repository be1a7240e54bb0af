import NIOHTTP1

/// A request to an external API.
package struct OutboundRequest: Sendable {
    /// The method.
    package var method: HTTPMethod
    /// The absolute http or https URL.
    package var url: String
    /// Request headers (`Host` is set by the client).
    package var headers: HTTPHeaders
    /// The body, if any.
    package var body: [UInt8]?
    /// The limit for the whole exchange (retries, redirects and waits included); `nil` uses
    /// ``OutboundHTTPSettings/requestTimeout``.
    package var timeout: Duration?
    /// Secret values (a connection's credentials) to replace with `[redacted]` wherever they
    /// appear in the external API log and in log lines: URL, headers and bodies.
    package var secrets: [String]
    /// The response body limit; `nil` uses ``OutboundHTTPSettings/maxResponseBytes``.
    package var maxResponseBytes: Int?
    /// Labels copied into every ``ExternalAPILogEntry`` of this request (for example the
    /// connection instance), so a sink can file the entry.
    package var tags: [String: String]
    /// Whether the external API log keeps previews of the bodies; off for requests whose
    /// bodies are credentials (the external credentials store).
    package var logsBodies = true

    /// Creates a request.
    /// - Parameters:
    ///   - method: The method.
    ///   - url: The absolute http or https URL.
    ///   - headers: Request headers.
    ///   - body: The body.
    ///   - timeout: The limit for the whole exchange, or `nil` for the client's setting.
    ///   - secrets: Values to redact wherever they appear.
    ///   - maxResponseBytes: The response body limit, or `nil` for the client's setting.
    ///   - tags: Labels for the log entries.
    package init(
        method: HTTPMethod = .GET,
        url: String,
        headers: HTTPHeaders = [:],
        body: [UInt8]? = nil,
        timeout: Duration? = nil,
        secrets: [String] = [],
        maxResponseBytes: Int? = nil,
        tags: [String: String] = [:]
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.secrets = secrets
        self.maxResponseBytes = maxResponseBytes
        self.tags = tags
    }
}
