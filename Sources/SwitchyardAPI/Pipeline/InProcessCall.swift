import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP

/// One REST operation called from inside the process (the console when the `api` role runs in
/// the same process): the same route table, access check and handlers as over HTTP, for a caller
/// the in-process client vouches for.
package struct InProcessCall: Sendable {
    /// The method.
    package var method: HTTPRequest.Method
    /// The path, segments percent-encoded as in a URL (`/customers/abc`).
    package var path: String
    /// The query parameters.
    package var query: [String: String]
    /// A JSON body.
    package var body: JSONValue?
    /// A body of another media type, with that type.
    package var rawBody: (bytes: [UInt8], contentType: String)?

    /// Creates a call.
    package init(
        method: HTTPRequest.Method, path: String, query: [String: String] = [:], body: JSONValue? = nil,
        rawBody: (bytes: [UInt8], contentType: String)? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.rawBody = rawBody
    }
}

extension APIRoutes {
    /// Answers a call in process.
    /// - Returns: The success status and the handler's result.
    /// - Throws: What the operation throws over HTTP (`not_found` for an unknown path, as the
    ///   router answers).
    package func call(_ call: InProcessCall, caller: Caller) async throws(SwitchyardError) -> (status: Int, result: APIResult) {
        let segments = call.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for route in all where route.method == call.method {
            guard let parameters = Self.match(route.path, segments) else { continue }
            if route.access == .admin, !caller.isAdmin {
                throw SwitchyardError(.accessDenied, "\(route.method.rawValue) \(route.path) needs an admin token")
            }
            var request = APIRequest(caller: caller, pathParameters: parameters, query: call.query, body: nil)
            if route.requestSchema != nil {
                if route.takesJSON {
                    request.body = call.body
                } else if let raw = call.rawBody {
                    request.rawBody = raw.bytes
                    request.contentType = raw.contentType
                }
            }
            return (route.successStatus, try await route.handler(request))
        }
        throw SwitchyardError(.notFound, "no operation \(call.method.rawValue) \(call.path)")
    }

    /// The path parameters when `template` (`/customers/{id}`) matches the path's segments.
    private static func match(_ template: String, _ segments: ArraySlice<Substring>) -> [String: String]? {
        let parts = template.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard parts.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (part, segment) in zip(parts, segments) {
            if part.hasPrefix("{"), part.hasSuffix("}") {
                guard !segment.isEmpty else { return nil }
                parameters[String(part.dropFirst().dropLast())] = String(segment).removingPercentEncoding ?? String(segment)
            } else if part != segment {
                return nil
            }
        }
        return parameters
    }
}
