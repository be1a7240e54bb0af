import Foundation
import Hummingbird
import HummingbirdTesting
import NIOFoundationCompat
import Logging
import NIOCore
import Testing

@testable import SwitchyardServer

@Suite struct HTTPBasicsTests {
    private func application(_ environment: [String: String] = [:]) async throws -> some ApplicationProtocol {
        var environment = environment
        environment["IS_API"] = "1"
        environment["DATA_DIR"] = try TestEnvironment.temporaryDirectory()
        environment["SKIP_HEALTH_CHECKS"] = "database"
        let configuration = try SwitchyardConfiguration.load(environment: environment)
        let secrets = ResolvedSecrets(secret: String(repeating: "s", count: 32), encryptionSecret: String(repeating: "e", count: 32), fromDataDirectory: [])
        return try await SwitchyardAssembly.buildApplication(configuration: configuration, secrets: secrets, logger: Logger(label: "test"))
    }

    private func errorBody(_ buffer: ByteBuffer) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] ?? [:]
    }

    @Test func unknownPathIsAJSON404() async throws {
        try await application().test(.router) { client in
            try await client.execute(uri: "/v1/nothing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let body = try errorBody(response.body)
                #expect(body["type"] as? String == "not_found")
                #expect(body["key"] as? String == "not_found")
                #expect((body["message"] as? String)?.contains("/v1/nothing") == true)
                #expect(body["data"] is [String: Any])
            }
        }
    }

    @Test func knownPathWithAnotherMethodIsA405NamingTheAllowedOnes() async throws {
        try await application().test(.router) { client in
            try await client.execute(uri: "/", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
                let body = try errorBody(response.body)
                #expect(body["message"] as? String == "/ accepts GET, not DELETE")
            }
            try await client.execute(uri: "/integrations/some-key", method: .put) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "DELETE, GET, PATCH")
            }
        }
    }

    @Test func bodyOverTenMegabytesIsA413() async throws {
        let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: 10 * 1024 * 1024 + 1)
        try await application().test(.router) { client in
            try await client.execute(uri: "/", method: .post, headers: [.contentLength: String(body.readableBytes)], body: body) { response in
                #expect(response.status == .contentTooLarge)
                let json = try errorBody(response.body)
                #expect(json["key"] as? String == "too_large")
                #expect((json["data"] as? [String: String])?["maxBytes"] == "10485760")
            }
        }
    }

    @Test func bodyAtTheLimitIsNotA413() async throws {
        let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: 10 * 1024 * 1024)
        try await application().test(.router) { client in
            try await client.execute(uri: "/", method: .post, headers: [.contentLength: String(body.readableBytes)], body: body) { response in
                #expect(response.status != .contentTooLarge)
            }
        }
    }

    @Test func requestSizeLimitIsConfigurable() async throws {
        let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1024 * 1024 + 1)
        try await application(["MAX_REQUEST_SIZE_MB": "1"]).test(.router) { client in
            try await client.execute(uri: "/", method: .put, headers: [.contentLength: String(body.readableBytes)], body: body) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
    }

    @Test func requestIDIsEchoedOrGenerated() async throws {
        try await application().test(.router) { client in
            try await client.execute(uri: "/", method: .get, headers: [.init("X-Request-Id")!: "abc-123"]) { response in
                #expect(response.headers[.init("X-Request-Id")!] == "abc-123")
            }
            try await client.execute(uri: "/", method: .get, headers: [.init("X-Request-Id")!: "bad id with spaces\u{7}"]) { response in
                let id = response.headers[.init("X-Request-Id")!] ?? ""
                #expect(!id.isEmpty && !id.contains(" "))
            }
        }
    }

    @Test func healthWaitParameterIsValidated() async throws {
        try await application().test(.router) { client in
            try await client.execute(uri: "/?wait=soon", method: .get) { response in
                #expect(response.status == .badRequest)
                let json = try errorBody(response.body)
                #expect(json["key"] as? String == "bad_request")
            }
            try await client.execute(uri: "/?wait=600000", method: .get) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/?wait=100", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }
}

/// Timeouts on real sockets against the real binary.
@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the built switchyard binary"))
struct HTTPTimeoutTests {
    @Test func connectionThatTricklesHeadersIsClosedAfterHeadersTimeout() async throws {
        let child = try SwitchyardProcess(["serve", "--role", "api"], environment: ["HEADERS_TIMEOUT_MS": "300", "SKIP_HEALTH_CHECKS": "all"])
        let port = try await child.waitUntilHealthy()
        // The server's timer starts when it accepts the connection: so does this one.
        let start = ContinuousClock.now
        let connection = try RawConnection(port: port)
        connection.send("GET / HTTP/1.1\r\nHost: localhost\r\n")
        let result = connection.readUntilClosed(timeout: .seconds(5))
        let elapsed = ContinuousClock.now - start
        #expect(result.closed)
        #expect(result.text.isEmpty, "no response to an incomplete request")
        #expect(elapsed >= .milliseconds(200) && elapsed < .seconds(6), "closed after \(elapsed)")
        try await child.stop()
    }

    @Test func completeRequestIsServedWithinHeadersTimeout() async throws {
        let child = try SwitchyardProcess(["serve", "--role", "api"], environment: ["HEADERS_TIMEOUT_MS": "300", "SKIP_HEALTH_CHECKS": "all"])
        let port = try await child.waitUntilHealthy()
        let connection = try RawConnection(port: port)
        connection.send("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        let result = connection.readUntilClosed(timeout: .seconds(5))
        #expect(result.text.hasPrefix("HTTP/1.1 200"))
        try await child.stop()
    }

    @Test func idleKeptAliveConnectionIsClosedAfterKeepAliveTimeout() async throws {
        let child = try SwitchyardProcess(["serve", "--role", "api"], environment: ["KEEPALIVE_TIMEOUT_MS": "400", "SKIP_HEALTH_CHECKS": "all"])
        let port = try await child.waitUntilHealthy()
        let connection = try RawConnection(port: port)
        connection.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let start = ContinuousClock.now
        let result = connection.readUntilClosed(timeout: .seconds(5))
        let elapsed = ContinuousClock.now - start
        #expect(result.text.hasPrefix("HTTP/1.1 200"))
        #expect(result.closed)
        #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(6), "closed after \(elapsed)")
        try await child.stop()
    }
}
