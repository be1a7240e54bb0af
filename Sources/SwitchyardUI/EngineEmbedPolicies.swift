import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore
import Synchronization

/// The embedding origins as the engine API tells them (`GET /embedding/{workspaceKey}` at
/// `ENGINE_API_URI`), for a `ui` process without the api role; each answer is reused for a few
/// seconds, so a change of origins reaches this process within that time.
package final class EngineEmbedPolicies: EmbedPolicySource {
    private let baseURL: String
    private let client: HTTPClient
    private let cacheTime: Duration
    private let cache = Mutex<[String: (origins: [String], at: ContinuousClock.Instant)]>([:])

    /// Creates the source.
    /// - Parameters:
    ///   - baseURL: The engine API (`ENGINE_API_URI`).
    ///   - cacheTime: How long an answer is reused.
    package init(baseURL: String, client: HTTPClient = .shared, cacheTime: Duration = .seconds(5)) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.client = client
        self.cacheTime = cacheTime
    }

    package func allowedOrigins(workspaceKey: String) async throws(SwitchyardError) -> [String] {
        if let cached = cache.withLock({ $0[workspaceKey] }), ContinuousClock.now - cached.at < cacheTime { return cached.origins }
        let encoded = workspaceKey.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", "_", "."])) ?? workspaceKey
        let (status, body) = try await fetch(baseURL + "/embedding/" + encoded)
        if status == 404 { throw SwitchyardError(.notFound, "no workspace has key \(workspaceKey)") }
        guard status == 200, case .array(let items)? = (try? JSONValue.parse(body))?["uiAllowedOrigins"] else {
            throw SwitchyardError(.unavailable, "the engine API answered \(status) for the workspace's embedding origins", retryAfterSeconds: 5)
        }
        let origins = items.compactMap(\.stringValue)
        cache.withLock { $0[workspaceKey] = (origins, .now) }
        return origins
    }

    private func fetch(_ url: String) async throws(SwitchyardError) -> (Int, String) {
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(buffer: body))
        } catch {
            throw SwitchyardError(.unavailable, "the engine API at \(baseURL) is not reachable", retryAfterSeconds: 5)
        }
    }
}
