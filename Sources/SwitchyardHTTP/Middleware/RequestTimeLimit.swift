import Hummingbird
import SwitchyardCore

/// `MAX_REQUEST_TIME_SECONDS`: a request whose answer is not ready within the limit is stopped
/// and answered 504 `timeout` naming the limit, even when the work ignores cancellation (a query
/// stuck in a driver): the work is cancelled and left behind, the client is answered at once.
///
/// It wraps each route's handler rather than sitting in the middleware chain because a
/// middleware's `next` may not outlive it, and leaving stuck work behind is the point. The
/// API's pipeline applies it to every route it registers. For a streamed answer (the proxy) the
/// limit covers the time until the response head; the body then streams as it arrives.
package struct RequestTimeLimit: Sendable {
    /// The longest a request may take.
    package let limit: Duration

    /// Creates the limit.
    package init(_ limit: Duration) {
        self.limit = limit
    }

    /// Runs a route's handler under the limit.
    /// - Throws: What the handler throws, or `timeout` once the limit has passed.
    package func run(_ handler: @escaping @Sendable () async throws -> Response) async throws -> Response {
        try await limited { () async -> Result<Response, any Error> in
            do {
                return .success(try await handler())
            } catch {
                return .failure(error)
            }
        }.get()
    }

    /// Runs an in-process call (the console's calls to the API) under the same limit.
    /// - Throws: What the operation throws, or `timeout` once the limit has passed.
    package func run<T: Sendable>(call operation: @escaping @Sendable () async throws(SwitchyardError) -> T) async throws(SwitchyardError) -> T {
        try await limited { () async -> Result<T, SwitchyardError> in
            do throws(SwitchyardError) {
                return .success(try await operation())
            } catch {
                return .failure(error)
            }
        }.get()
    }

    /// The work's outcome, or `timeout` once the limit has passed (the work is left behind).
    private func limited<T: Sendable>(_ work: @escaping @Sendable () async -> T) async throws(SwitchyardError) -> T {
        guard let outcome = await withTimeLimit(limit, work) else {
            throw SwitchyardError(.timeout, "the request took longer than its \(text) limit and was stopped", data: ["limit": text])
        }
        return outcome
    }

    /// The limit for people: whole seconds, or milliseconds under a second.
    private var text: String {
        limit >= .seconds(1) ? "\(limit.components.seconds) s" : "\(limit.components.attoseconds / 1_000_000_000_000_000) ms"
    }
}
