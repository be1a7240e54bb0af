/// Limits and policies of the outbound HTTP client.
package struct OutboundHTTPSettings: Sendable, Hashable {
    /// How long establishing a connection (TCP and TLS) may take. Client-wide.
    package var connectTimeout: Duration
    /// How long a whole request may take, retries, waits and redirects included, unless the
    /// request sets its own ``OutboundRequest/timeout``.
    package var requestTimeout: Duration
    /// How many times one request is sent at most (1 means no retry).
    package var maxAttempts: Int
    /// The first backoff delay; each further retry doubles it, with jitter (a random 50–100 %).
    package var backoffBase: Duration
    /// The longest backoff delay between two attempts.
    package var backoffMax: Duration
    /// The longest `Retry-After` the client waits; a server asking for longer gets its 429 or
    /// 503 response returned at once.
    package var maxRetryAfter: Duration
    /// The response body limit in bytes; a longer body fails with `too_large`.
    package var maxResponseBytes: Int
    /// How many redirects one request follows at most.
    package var maxRedirects: Int
    /// How many bytes of each body the external API log keeps as a preview.
    package var previewBytes: Int
    /// Which addresses requests may reach.
    package var addressPolicy: AddressPolicy

    /// Creates settings; the defaults suit calls to third-party APIs.
    package init(
        connectTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(30),
        maxAttempts: Int = 3,
        backoffBase: Duration = .milliseconds(250),
        backoffMax: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(30),
        maxResponseBytes: Int = 10 << 20,
        maxRedirects: Int = 5,
        previewBytes: Int = 2048,
        addressPolicy: AddressPolicy = AddressPolicy()
    ) {
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxAttempts = max(1, maxAttempts)
        self.backoffBase = backoffBase
        self.backoffMax = backoffMax
        self.maxRetryAfter = maxRetryAfter
        self.maxResponseBytes = maxResponseBytes
        self.maxRedirects = max(0, maxRedirects)
        self.previewBytes = previewBytes
        self.addressPolicy = addressPolicy
    }
}
