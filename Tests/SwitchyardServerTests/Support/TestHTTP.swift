import AsyncHTTPClient
import NIOFoundationCompat
import Foundation
import NIOCore
import NIOHTTP1

/// A minimal HTTP client for tests against a local port.
enum TestHTTP {
    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String

        func json() throws -> [String: Any] {
            let object = try JSONSerialization.jsonObject(with: Data(body.utf8))
            return object as? [String: Any] ?? [:]
        }
    }

    static func get(port: Int, path: String, headers: [(String, String)] = [], timeout: Duration = .seconds(10)) async throws -> Response {
        try await send(port: port, path: path, method: .GET, headers: headers, timeout: timeout)
    }

    static func send(
        port: Int,
        path: String,
        method: HTTPMethod,
        headers: [(String, String)] = [],
        body: ByteBuffer? = nil,
        timeout: Duration = .seconds(10)
    ) async throws -> Response {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Response(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }
}
