import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP

/// How the console reaches the engine: the REST API, as a workspace admin. In a process that
/// also runs the `api` role the calls stay in process; otherwise they go over HTTP to
/// `ENGINE_API_URI` with short-lived admin tokens (``HTTPConsoleEngine``).
///
/// Both answer alike: an operation's success or its API error as an ``EngineResponse``. Only
/// an engine that cannot be reached at all throws (`unavailable`).
package protocol ConsoleEngine: Sendable {
    /// Sends one request on behalf of a signed-in console user.
    /// - Throws: `unavailable` when the engine cannot be reached.
    func send(_ request: EngineRequest, for user: ConsoleSignIn) async throws(SwitchyardError) -> EngineResponse
}

/// One REST request from the console.
package struct EngineRequest: Sendable {
    /// A request body.
    package enum Body: Sendable {
        /// A JSON document.
        case json(JSONValue)
        /// Bytes of another media type (a connector package zip).
        case raw([UInt8], contentType: String)
    }

    /// The method.
    package var method: HTTPRequest.Method
    /// The path, each segment percent-encoded (build it with ``path(_:)``).
    package var path: String
    /// The query parameters.
    package var query: [String: String]
    /// The body, if any.
    package var body: Body?

    /// Creates a request.
    package init(_ method: HTTPRequest.Method, _ path: String, query: [String: String] = [:], body: Body? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
    }

    /// A path from segments, each percent-encoded: `path("customers", id)` is `/customers/<id>`.
    package static func path(_ segments: String...) -> String {
        "/" + segments.map { $0.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? $0 }.joined(separator: "/")
    }

    /// The characters a path segment keeps as they are.
    private static let segmentCharacters: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~")
        return set
    }()
}

/// The engine's answer: status, media type and body.
package struct EngineResponse: Sendable {
    /// The HTTP status.
    package var status: Int
    /// The body's media type.
    package var contentType: String
    /// The body.
    package var body: [UInt8]
    /// The file name of a download (`Content-Disposition`), if any.
    package var filename: String?

    /// Creates a response.
    package init(status: Int, contentType: String, body: [UInt8], filename: String? = nil) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.filename = filename
    }

    /// Whether the operation succeeded.
    package var succeeded: Bool { (200..<300).contains(status) }

    /// The body as JSON, or `nil` when it is not JSON.
    package var json: JSONValue? {
        guard contentType.hasPrefix("application/json") else { return nil }
        return try? JSONValue.parse(String(decoding: body, as: UTF8.self))
    }
}
