import HTTPTypes
import Hummingbird
import SwitchyardCore

/// Answers 405 with `Allow` (instead of the router's 404) when a path exists but not for the
/// request's method.
package struct MethodNotAllowedMiddleware: RouterMiddleware {
    package typealias Context = SwitchyardRequestContext

    private let routes: [(segments: [Substring], method: String)]

    /// Creates the middleware from the served routes (`{name}` segments match anything).
    package init(routes: [(method: String, path: String)]) {
        self.routes = routes.map { (segments: $0.path.split(separator: "/"), method: $0.method) }
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path.split(separator: "/")
            let allowed = Set(routes.filter { Self.matches($0.segments, path) }.map(\.method)).sorted()
            guard !allowed.isEmpty else { throw error }
            var response = ErrorResponse.make(
                SwitchyardError(.badRequest, "\(request.uri.path) accepts \(allowed.joined(separator: ", ")), not \(request.method.rawValue)")
            )
            response.status = .methodNotAllowed
            response.headers[.allow] = allowed.joined(separator: ", ")
            return response
        }
    }

    private static func matches(_ pattern: [Substring], _ path: [Substring]) -> Bool {
        guard pattern.count == path.count else { return false }
        return zip(pattern, path).allSatisfy { expected, actual in (expected.hasPrefix("{") && expected.hasSuffix("}")) || expected == actual }
    }
}
