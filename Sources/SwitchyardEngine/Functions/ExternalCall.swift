import NIOHTTP1
import SwitchyardCore

/// One request a connector function makes to the external API, before the connection's base
/// URI and auth are added.
package struct ExternalCall: Sendable {
    /// The method.
    package var method: HTTPMethod
    /// A path relative to the connector's base URI, or a full URL.
    package var target: String
    /// The query string (already percent-encoded), if any.
    package var query: String?
    /// Request headers.
    package var headers: HTTPHeaders
    /// The body, if any.
    package var body: [UInt8]?

    /// Creates a call.
    package init(method: HTTPMethod, target: String, query: String? = nil, headers: HTTPHeaders = [:], body: [UInt8]? = nil) {
        self.method = method
        self.target = target
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// Sends an ``ExternalCall`` as a connection: as a stored connection (auth, refresh on 401,
/// logged under it) or, while connecting, with credentials not stored yet.
package typealias ExternalTransport = @Sendable (ExternalCall) async throws(SwitchyardError) -> OutboundResponse
