import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import SwitchyardStore
import Testing

@testable import SwitchyardServer

@Suite struct HTTPBasicsTests {
    private static let secrets = ResolvedSecrets(
        secret: String(repeating: "s", count: 32), encryptionSecret: String(repeating: "e", count: 32), fromDataDirectory: []
    )

    /// The API role's application. Routes that use the database need `migrated`; the others
    /// run with the database check skipped.
    private func application(_ environment: [String: String] = [:], migrated: Bool = false) async throws -> some ApplicationProtocol {
        var environment = environment
        environment["IS_API"] = "1"
        environment["DATA_DIR"] = try TestEnvironment.temporaryDirectory()
        environment["SKIP_HEALTH_CHECKS"] = "database"
        let configuration = try SwitchyardConfiguration.load(environment: environment)
        if migrated {
            let store = try OpenStore.open(configuration, secrets: Self.secrets, logger: Logger(label: "test"))
            _ = try await store.migrator.migrate()
        }
        return try await SwitchyardAssembly.buildApplication(configuration: configuration, secrets: Self.secrets, logger: Logger(label: "test"))
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

    /// A body of exactly `MAX_REQUEST_SIZE_MB` (10 MB by default) reaches a route that takes
    /// it, which creates the record; one byte more is refused with 413, whether its length is
    /// declared or only counted as it arrives.
    @Test func bodyAtTheLimitIsTakenAndOneByteMoreIsA413() async throws {
        let limit = 10 * 1024 * 1024
        let head = #"{"internalId":"at-the-limit","fields":{"padding":""#
        let tail = #""}}"#
        let padding = limit - head.utf8.count - tail.utf8.count
        var body = ByteBuffer(string: head)
        body.writeRepeatingByte(UInt8(ascii: "x"), count: padding)
        body.writeString(tail)
        let atTheLimit = body
        #expect(atTheLimit.readableBytes == limit)
        body.writeString(" ")
        let overTheLimit = body
        let token = try await AdminTokenIssuer(secret: Self.secrets.secret).mint(lifetime: .seconds(600))
        let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        try await application(migrated: true).test(.router) { client in
            var declared = headers
            declared[.contentLength] = String(limit)
            try await client.execute(uri: "/customers", method: .post, headers: declared, body: atTheLimit) { response in
                #expect(response.status == .created, "\(String(buffer: response.body).prefix(500))")
                let json = try errorBody(response.body)
                #expect(json["internalId"] as? String == "at-the-limit")
                #expect(((json["fields"] as? [String: Any])?["padding"] as? String)?.utf8.count == padding)
            }
            declared[.contentLength] = String(limit + 1)
            try await client.execute(uri: "/customers", method: .post, headers: declared, body: overTheLimit) { response in
                #expect(response.status == .contentTooLarge)
                let json = try errorBody(response.body)
                #expect(json["key"] as? String == "too_large")
            }
            try await client.execute(uri: "/customers", method: .post, headers: headers, body: overTheLimit) { response in
                #expect(response.status == .contentTooLarge)
                let json = try errorBody(response.body)
                #expect(json["key"] as? String == "too_large")
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
            // The longest wait allowed: answered as soon as the storage check has passed, however
            // loaded the machine.
            try await client.execute(uri: "/?wait=60000", method: .get) { response in
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
