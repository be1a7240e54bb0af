import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardHTTP
import Synchronization

/// The engine over HTTP at `ENGINE_API_URI`, for a console that runs without the `api` role.
///
/// Every request carries a short-lived admin token. Tokens are minted per console session
/// (never shared between sessions) and reused until a minute before they expire.
package final class HTTPConsoleEngine: ConsoleEngine {
    /// Mints an admin token and says how long it is valid.
    package typealias Minter = @Sendable () async throws -> (token: String, lifetime: Duration)

    /// The largest answer the console reads.
    static let maxResponseBytes = 32 << 20

    private let baseURL: String
    private let mint: Minter
    private let client: HTTPClient
    private let timeout: TimeAmount
    private let tokens = Mutex<[String: (token: String, renewAt: ContinuousClock.Instant)]>([:])

    /// Creates the engine.
    /// - Parameters:
    ///   - baseURL: The API's base URL (`ENGINE_API_URI`), without a trailing slash.
    ///   - mint: Mints admin tokens.
    ///   - timeout: How long one request may take; an engine that refuses connections is retried
    ///     until then (AsyncHTTPClient), so this is also how long an outage takes to show.
    package init(baseURL: String, client: HTTPClient = .shared, timeout: TimeAmount = .seconds(30), mint: @escaping Minter) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.client = client
        self.timeout = timeout
        self.mint = mint
    }

    package func send(_ request: EngineRequest, for user: ConsoleSignIn) async throws(SwitchyardError) -> EngineResponse {
        let token = try await token(for: user)
        var url = baseURL + request.path
        if !request.query.isEmpty {
            url += "?" + FormURLEncoding.encode(request.query.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) })
        }
        var outgoing = HTTPClientRequest(url: url)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        outgoing.headers.add(name: "Authorization", value: "Bearer \(token)")
        outgoing.headers.add(name: "Accept", value: "application/json")
        switch request.body {
        case .json(let value):
            outgoing.headers.add(name: "Content-Type", value: "application/json")
            outgoing.body = .bytes(ByteBuffer(string: value.jsonText))
        case .raw(let bytes, let contentType):
            outgoing.headers.add(name: "Content-Type", value: contentType)
            outgoing.body = .bytes(ByteBuffer(bytes: bytes))
        case nil:
            break
        }
        do {
            let response = try await client.execute(outgoing, timeout: timeout)
            let body = try await response.body.collect(upTo: Self.maxResponseBytes)
            var filename: String?
            if let disposition = response.headers.first(name: "Content-Disposition"), let range = disposition.range(of: "filename=\"") {
                filename = String(disposition[range.upperBound...].prefix { $0 != "\"" })
            }
            return EngineResponse(
                status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type") ?? "application/octet-stream",
                body: Array(body.readableBytesView), filename: filename)
        } catch {
            throw SwitchyardError(.unavailable, "the engine API at \(baseURL) is not reachable (\(Self.describe(error)))")
        }
    }

    /// A session's token, minted when it has none or its token is about to expire.
    private func token(for user: ConsoleSignIn) async throws(SwitchyardError) -> String {
        let now = ContinuousClock.now
        if let cached = tokens.withLock({ $0[user.sessionID] }), cached.renewAt > now { return cached.token }
        do {
            let (token, lifetime) = try await mint()
            let renewAt = now + max(lifetime - .seconds(60), lifetime / 2)
            tokens.withLock { cache in
                cache = cache.filter { $0.value.renewAt > now }
                cache[user.sessionID] = (token, renewAt)
            }
            return token
        } catch {
            throw SwitchyardError(.internal, "cannot mint an engine token", internalDetail: "\(error)")
        }
    }

    /// A short, client-safe description of a transport error.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout { return "it did not answer in time" }
            return "\(error)"
        }
        return "connection refused or closed"
    }
}
