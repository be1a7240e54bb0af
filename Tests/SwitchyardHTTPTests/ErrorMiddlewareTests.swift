import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

import SwitchyardCore
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

    @Test(arguments: [
        (SwitchyardError.Key.badRequest, 400, "bad_request"),
        (.notAuthenticated, 401, "bad_request"),
        (.accessDenied, 403, "bad_request"),
        (.notFound, 404, "bad_request"),
        (.alreadyExists, 409, "bad_request"),
        (.conflict, 409, "bad_request"),
        (.tooLarge, 413, "bad_request"),
        (.rateLimitExceeded, 429, "bad_request"),
        (.unavailable, 503, "internal"),
        (.internal, 500, "internal"),
    ])
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
