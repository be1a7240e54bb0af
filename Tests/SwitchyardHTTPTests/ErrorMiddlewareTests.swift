import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardCore
import SwitchyardTestSupport
import Testing

@testable import SwitchyardHTTP

struct ThirdPartyFailure: Error, CustomStringConvertible {
    var description: String { "password authentication failed for user admin at db.internal:5432" }
}

@Suite struct ErrorMiddlewareTests {
    private func app(throwing error: any Error) -> some ApplicationProtocol {
        let router = Router(context: SwitchyardRequestContext.self)
        router.middlewares.add(ErrorMiddleware())
        router.get("/fail") { _, _ -> String in throw error }
        return Application(router: router)
    }

    private func body(_ buffer: ByteBuffer) throws -> APIErrorBody {
        try JSONDecoder().decode(APIErrorBody.self, from: Data(buffer.readableBytesView))
    }

    /// Every key, its status and its type, as docs/errors.md lists them.
    static let mapping: [(SwitchyardError.Key, Int, String)] = [
        (.badRequest, 400, "bad_request"),
        (.notSupported, 400, "bad_request"),
        (.tooLarge, 413, "bad_request"),
        (.notAuthenticated, 401, "not_authenticated"),
        (.accessDenied, 403, "access_denied"),
        (.notFound, 404, "not_found"),
        (.alreadyExists, 409, "conflict"),
        (.conflict, 409, "conflict"),
        (.interrupted, 409, "flow_run"),
        (.outputTooLarge, 413, "flow_run"),
        (.rateLimitExceeded, 429, "rate_limit"),
        (.unavailable, 503, "dependency_error"),
        (.timeout, 504, "dependency_error"),
        (.internal, 500, "internal"),
    ]

    @Test("The table covers every key the mapping knows, and each key's type names its family")
    func everyKeyIsListed() {
        #expect(Set(Self.mapping.map(\.0.rawValue)) == Set(HTTPStatusMapping.keys.map(\.rawValue)))
        #expect(Self.mapping.count == HTTPStatusMapping.keys.count)
    }

    @Test("docs/errors.md lists every key with its status and type")
    func documentationListsEveryKey() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/errors.md"), encoding: .utf8)
        for (key, status, type) in Self.mapping {
            #expect(text.contains("| `\(key.rawValue)` | \(status) | `\(type)` |"), "docs/errors.md has no row for \(key.rawValue)")
        }
    }

    @Test(arguments: mapping)
    func switchyardErrorKeepsItsKeyAndMapsToItsStatus(key: SwitchyardError.Key, status: Int, type: String) async throws {
        let error = SwitchyardError(key, "field 'name' is missing", data: ["field": "name"], internalDetail: "SELECT * FROM secrets")
        try await app(throwing: error).test(.router) { client in
            try await client.execute(uri: "/fail", method: .get) { response in
                #expect(Int(response.status.code) == status)
                let decoded = try body(response.body)
                #expect(decoded == APIErrorBody(type: type, key: key.rawValue, message: "field 'name' is missing", data: ["field": "name"]))
                #expect(!String(buffer: response.body).contains("SELECT"), "internal detail must not reach the client")
            }
        }
    }

    @Test func rateLimitCarriesRetryAfter() async throws {
        let error = SwitchyardError(.rateLimitExceeded, "slow down", retryAfterSeconds: 7)
        try await app(throwing: error).test(.router) { client in
            try await client.execute(uri: "/fail", method: .get) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "7")
            }
        }
    }

    @Test func unexpectedErrorIsAGeneric500ThatLeaksNothing() async throws {
        try await app(throwing: ThirdPartyFailure()).test(.router) { client in
            try await client.execute(uri: "/fail", method: .get) { response in
                #expect(response.status == .internalServerError)
                let decoded = try body(response.body)
                #expect(decoded.key == "internal" && decoded.type == "internal")
                #expect(!decoded.message.contains("password") && !decoded.message.contains("db.internal"))
            }
        }
    }

    @Test("A 500 internal error is logged at error level with its cause and the request id; a 4xx is not logged as an error")
    func internalErrorsAreLoggedAsErrors() async throws {
        let capture = LogCapture()
        let router = Router(context: SwitchyardRequestContext.self)
        router.middlewares.add(RequestIDMiddleware())
        router.middlewares.add(ErrorMiddleware())
        router.get("/internal") { _, _ -> String in throw SwitchyardError(.internal, "could not store it", internalDetail: "disk full at /var/lib") }
        router.get("/unexpected") { _, _ -> String in throw ThirdPartyFailure() }
        router.get("/missing") { _, _ -> String in throw SwitchyardError(.notFound, "no such thing", internalDetail: "row 7") }
        let app = Application(router: router, logger: capture.logger)
        try await app.test(.router) { client in
            _ = try await client.execute(uri: "/internal", method: .get, headers: [.requestID: "trace-500-a"])
            _ = try await client.execute(uri: "/unexpected", method: .get, headers: [.requestID: "trace-500-b"])
            _ = try await client.execute(uri: "/missing", method: .get, headers: [.requestID: "trace-404"])
        }
        let lines = capture.text.split(separator: "\n")
        let internalLine = lines.first { $0.hasPrefix("error") && $0.contains("request.id=trace-500-a") }
        #expect(internalLine?.contains("disk full at /var/lib") == true, "\(capture.text)")
        let unexpected = lines.first { $0.hasPrefix("error") && $0.contains("request.id=trace-500-b") }
        #expect(unexpected?.contains("password authentication failed") == true, "\(capture.text)")
        #expect(!lines.contains { $0.hasPrefix("error") && $0.contains("trace-404") }, "\(capture.text)")
    }

    @Test func unmatchedRouteBecomesNotFoundJSON() async throws {
        try await app(throwing: ThirdPartyFailure()).test(.router) { client in
            try await client.execute(uri: "/elsewhere", method: .delete) { response in
                #expect(response.status == .notFound)
                let decoded = try body(response.body)
                #expect(decoded.key == "not_found")
            }
        }
    }
}

extension APIErrorBody {
    init(type: String, key: String, message: String, data: [String: String]) {
        self.init(SwitchyardError(.badRequest, message))
        self.type = type
        self.key = key
        self.data = data
    }
}
