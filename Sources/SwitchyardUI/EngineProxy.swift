import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardCore

/// Forwards the pages' API calls to the engine at `ENGINE_API_URI` when the `api` role runs in
/// another process, so the browser talks to one origin: the method, path, query, body and the
/// `Authorization`, `Content-Type` and `Accept` headers go on; the status, body and the
/// `Content-Type`, `Location` and `Retry-After` headers come back.
struct EngineProxy: Sendable {
    /// The engine's base URL, without a trailing slash.
    let baseURL: String
    /// The client.
    let client: HTTPClient
    /// How long one call may take.
    let timeout: TimeAmount
    /// The largest request and answer forwarded.
    static let maxBytes = 32 << 20

    /// Creates the proxy.
    /// - Parameters:
    ///   - baseURL: The engine API (`ENGINE_API_URI`).
    ///   - timeout: How long one call may take.
    init(baseURL: String, client: HTTPClient, timeout: TimeAmount) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.client = client
        self.timeout = timeout
    }

    /// Forwards one request; `path` is the part after the forwarding prefix (`/connections`).
    func forward(_ request: Request, path: String, logger: Logger) async throws -> Response {
        var url = baseURL + path
        if let query = request.uri.query, !query.isEmpty { url += "?" + query }
        var outgoing = HTTPClientRequest(url: url)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for name in [HTTPField.Name.authorization, .contentType, .accept] {
            if let value = request.headers[name] { outgoing.headers.add(name: name.rawName, value: value) }
        }
        let body = try await request.body.collect(upTo: Self.maxBytes)
        if body.readableBytes > 0 { outgoing.body = .bytes(body) }
        let (answer, bytes) = try await send(outgoing, logger: logger)
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        for name in [HTTPField.Name.contentType, .location, .retryAfter] {
            if let value = answer.headers.first(name: name.rawName) { headers[name] = value }
        }
        return Response(status: .init(code: Int(answer.status.code)), headers: headers, body: .init(byteBuffer: bytes))
    }

    private func send(_ outgoing: HTTPClientRequest, logger: Logger) async throws(SwitchyardError) -> (HTTPClientResponse, ByteBuffer) {
        do {
            let answer = try await client.execute(outgoing, timeout: timeout)
            return (answer, try await answer.body.collect(upTo: Self.maxBytes))
        } catch {
            logger.error("the engine API is not reachable", metadata: ["engine": "\(baseURL)", "error": "\(error)"])
            throw SwitchyardError(.unavailable, "the integrations service is not reachable; try again in a moment", retryAfterSeconds: 5)
        }
    }
}
