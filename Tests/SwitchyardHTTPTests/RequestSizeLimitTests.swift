import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

import SwitchyardCore
@testable import SwitchyardHTTP

@Suite struct RequestSizeLimitTests {
    /// A router whose one route reads the whole body and answers with its size.
    private func app(limit: Int) -> some ApplicationProtocol {
        let router = Router(context: SwitchyardRequestContext.self)
        router.middlewares.add(ErrorMiddleware())
        router.middlewares.add(RequestSizeLimitMiddleware(maxBytes: limit))
        router.post("/upload") { request, _ -> String in
            var total = 0
            for try await chunk in request.body { total += chunk.readableBytes }
            return String(total)
        }
        return Application(router: router)
    }

    @Test func declaredLengthOverTheLimitIsRefusedBeforeReading() async throws {
        try await app(limit: 100).test(.router) { client in
            try await client.execute(uri: "/upload", method: .post, headers: [.contentLength: "101"], body: ByteBuffer(repeating: 0, count: 101)) {
                #expect($0.status == .contentTooLarge)
            }
        }
    }

    @Test func streamedBodyOverTheLimitIsRefusedWhileReading() async throws {
        try await app(limit: 100).test(.router) { client in
            // No Content-Length: the limit is enforced as the body streams.
            try await client.execute(uri: "/upload", method: .post, body: ByteBuffer(repeating: 0, count: 150)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(String(buffer: response.body).contains("too_large"))
            }
        }
    }

    @Test func bodyWithinTheLimitIsReadWhole() async throws {
        try await app(limit: 100).test(.router) { client in
            try await client.execute(uri: "/upload", method: .post, body: ByteBuffer(repeating: 0, count: 100)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "100")
            }
        }
    }
}
