import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import SwitchyardCore

/// Performs a job's API calls over HTTP on the engine side, adding each client's base URL and
/// authentication headers there, so credentials never enter the sandbox.
///
/// The connections part of the engine builds these targets from a connection's `makeApiClient`
/// (and refreshes credentials); this type only carries calls out.
package struct HTTPAPIBridge: SandboxAPIBridge {
    /// Where one of the job's clients sends its calls.
    package struct Target: Sendable {
        /// The base URL; a job's path is appended to it.
        package var baseURL: String
        /// Headers added to every call (authentication).
        package var headers: [(String, String)]

        /// Creates a target.
        package init(baseURL: String, headers: [(String, String)] = []) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.headers = headers
        }
    }

    private let targets: [String: Target]
    private let client: HTTPClient
    private let maxResponseBytes: Int

    /// Creates a bridge.
    /// - Parameters:
    ///   - targets: By client name: `external`, `internal`, `engine`.
    ///   - client: The HTTP client.
    ///   - maxResponseBytes: The largest response body handed back to the job.
    package init(targets: [String: Target], client: HTTPClient = .shared, maxResponseBytes: Int = 10 * 1024 * 1024) {
        self.targets = targets
        self.client = client
        self.maxResponseBytes = maxResponseBytes
    }

    package func perform(_ call: SandboxAPIRequest) async throws -> JSONValue {
        guard let target = targets[call.client] else {
            throw CodeRunError(.sandboxViolation, "the \(call.client) API client is not available to this job")
        }
        guard call.path.hasPrefix("/") || call.path.isEmpty else {
            throw CodeRunError(.sandboxViolation, "paths must be relative to the client's base URL (start with '/'); got '\(call.path)'")
        }
        let method = HTTPMethod(rawValue: call.method.uppercased())
        var url = target.baseURL + call.path
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in target.headers { request.headers.add(name: name, value: value) }
        if let data = call.data, data != .null {
            if method == .GET || method == .DELETE {
                url += (url.contains("?") ? "&" : "?") + Self.query(data)
                request.url = url
            } else {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(data)))
            }
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: maxResponseBytes)
        let text = String(buffer: body)
        let value = (try? JSONValue.parse(text)) ?? .string(text)
        guard (200..<300).contains(response.status.code) else {
            throw CodeRunError(.runtimeError, "HTTP \(response.status.code) from \(call.method) \(call.path): \(text.prefix(500))")
        }
        return value
    }

    private static func query(_ data: JSONValue) -> String {
        guard case .object(let members) = data else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?")
        return members.sorted { $0.key < $1.key }.map { key, value in
            let text: String =
                switch value {
                case .string(let string): string
                case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
                case .bool(let bool): String(bool)
                default: value.jsonText
                }
            return (key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key) + "=" + (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text)
        }.joined(separator: "&")
    }
}
