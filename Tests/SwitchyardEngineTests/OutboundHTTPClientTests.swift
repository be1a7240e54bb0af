import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardEngine
import SwitchyardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Outbound HTTP client against httpbin", .enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct OutboundHTTPClientTests {
    // MARK: - Requests and responses

    @Test("credential headers arrive: a Bearer token, Basic auth and an API key header")
    func authHeaders() async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient { client, _ in
            let bearer = try await client.send(OutboundRequest(url: base + "/bearer", headers: ["Authorization": "Bearer tok-123456"]))
            #expect(bearer.status == .ok)
            #expect(try JSONValue.parse(bearer.text)["token"] == .string("tok-123456"))

            let basic = "Basic " + Data("alice:wonderland".utf8).base64EncodedString()
            let ok = try await client.send(OutboundRequest(url: base + "/basic-auth/alice/wonderland", headers: ["Authorization": basic]))
            #expect(ok.status == .ok)
            let wrong = try await client.send(OutboundRequest(url: base + "/basic-auth/alice/other", headers: ["Authorization": basic]))
            #expect(wrong.status == .unauthorized)

            let headers = try await client.send(OutboundRequest(url: base + "/headers", headers: ["X-Api-Key": "key-abcdef"]))
            #expect(try JSONValue.parse(headers.text)["headers"]?["X-Api-Key"] == .string("key-abcdef"))
        }
    }

    @Test("statuses, headers and bodies pass through, and a POST body arrives", arguments: [200, 204, 404, 418, 500])
    func statuses(code: Int) async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient(loopbackSettings { $0.maxAttempts = 1 }) { client, sink in
            let sent = "payload for \(code)"
            let url = base + "/switchyard/status/\(code)"
            let request = OutboundRequest(method: .POST, url: url, headers: ["Content-Type": "text/plain"], body: Array(sent.utf8))
            let response = try await client.send(request)
            #expect(response.status.code == UInt(code))
            #expect(response.headers["X-Status"] == ["\(code)"])
            let expected: JSONValue? = code == 204 ? nil : ["status": .number(Double(code)), "method": "POST", "received": .string(sent)]
            var received: JSONValue?
            if !response.body.isEmpty { received = try JSONValue.parse(response.text) }
            #expect(received == expected, "\(response.text)")
            #expect(await sink.entries.map(\.status) == [code])
        }
    }

    @Test("a JSON POST body and its content type arrive as sent")
    func postBody() async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient { client, _ in
            let response = try await client.send(
                OutboundRequest(method: .POST, url: base + "/post", headers: ["Content-Type": "application/json"], body: Array(#"{"a":[1,2]}"#.utf8)))
            let echoed = try JSONValue.parse(response.text)
            #expect(echoed["json"] == .object(["a": .array([.number(1), .number(2)])]))
            #expect(echoed["headers"]?["Host"] == .string(String(base.dropFirst("http://".count))))
        }
    }

    // MARK: - Retries

    @Test("a 429 with Retry-After is retried after about the time asked")
    func retryAfter429() async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient { client, sink in
            let started = ContinuousClock.now
            let response = try await client.send(
                OutboundRequest(method: .POST, url: base + "/switchyard/retry-after?key=\(UUID())&retry_after=1", body: Array("{}".utf8)))
            let elapsed = ContinuousClock.now - started
            #expect(response.status == .ok)
            #expect(elapsed >= .milliseconds(950) && elapsed < .seconds(30), "took \(elapsed)")
            #expect(await sink.entries.map(\.status) == [429, 200], "a 429 is retried even for POST: the server did not process it")
            #expect(await sink.entries.map(\.attempt) == [1, 2])
        }
    }

    @Test("a Retry-After as an HTTP-date is honoured")
    func retryAfterDate() async throws {
        let base = try await HTTPBin.baseURL()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = formatter.string(from: Date().addingTimeInterval(2))
        try await withClient { client, sink in
            let started = ContinuousClock.now
            let encoded = try #require(date.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            let response = try await client.send(OutboundRequest(url: base + "/switchyard/retry-after?key=\(UUID())&retry_after=\(encoded)"))
            let elapsed = ContinuousClock.now - started
            #expect(response.status == .ok)
            // Whole seconds on the wire: between 1 and 2 s of waiting.
            #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(30), "took \(elapsed)")
            #expect(await sink.entries.count == 2)
        }
    }

    @Test("a Retry-After longer than the cap returns the 429 at once")
    func retryAfterOverCap() async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient(loopbackSettings { $0.maxRetryAfter = .seconds(2) }) { client, sink in
            let started = ContinuousClock.now
            let response = try await client.send(OutboundRequest(url: base + "/switchyard/retry-after?key=\(UUID())&retry_after=120"))
            #expect(response.status == .tooManyRequests)
            #expect(response.headers.first(name: "retry-after") == "120")
            // Far less than the 120 s asked for, even on a loaded machine.
            #expect(ContinuousClock.now - started < .seconds(20))
            #expect(await sink.entries.count == 1)
        }
    }

    @Test("a GET answered 503 is sent max-attempts times, then the 503 is returned")
    func getRetried() async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient(loopbackSettings { $0.maxAttempts = 4 }) { client, sink in
            let response = try await client.send(OutboundRequest(url: base + "/status/503"))
            #expect(response.status == .serviceUnavailable)
            let entries = await sink.entries
            #expect(entries.map(\.attempt) == [1, 2, 3, 4])
            #expect(Set(entries.map(\.exchangeID)).count == 1)
            #expect(client.requestsSent == 4)
        }
    }

    @Test("a GET that gets 503 and then 200 succeeds on the retry", arguments: [500, 502, 503, 504])
    func getRecovers(status: Int) async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient { client, sink in
            let response = try await client.send(OutboundRequest(url: base + "/switchyard/retry-after?key=\(UUID())&status=\(status)"))
            #expect(response.status == .ok)
            #expect(await sink.entries.map(\.status) == [status, 200])
        }
    }

    @Test("a POST or PATCH answered 503 is not retried", arguments: [HTTPMethod.POST, .PATCH])
    func postNotRetried(method: HTTPMethod) async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient(loopbackSettings { $0.maxAttempts = 4 }) { client, sink in
            let response = try await client.send(OutboundRequest(method: method, url: base + "/status/503", body: Array("x".utf8)))
            #expect(response.status == .serviceUnavailable)
            #expect(await sink.entries.count == 1)
            #expect(client.requestsSent == 1)
        }
    }

    @Test("a refused connection is retried for GET, not for POST, then fails with unavailable")
    func connectionErrors() async throws {
        // A port nothing listens on: bind one, note it, close it.
        let closedPort = try await HTTPBin.closedPort()
        // async-http-client retries a refused connection until the connect timeout: keep it short.
        try await withClient(
            loopbackSettings {
                $0.maxAttempts = 3
                $0.connectTimeout = .seconds(2)
                $0.requestTimeout = .seconds(120)
            }
        ) { client, sink in
            let get = await expectSwitchyardError { try await client.send(OutboundRequest(url: "http://127.0.0.1:\(closedPort)/")) }
            // Refused, or (on a loaded machine) still refused when the connect timeout ran out.
            #expect(get?.key == .unavailable || get?.key == .timeout, "\(String(describing: get))")
            #expect(await sink.entries.count == 3)
            await sink.removeAll()
            let post = await expectSwitchyardError {
                try await client.send(OutboundRequest(method: .POST, url: "http://127.0.0.1:\(closedPort)/", body: [1]))
            }
            #expect(post?.key == .unavailable || post?.key == .timeout, "\(String(describing: post))")
            #expect(await sink.entries.count == 1)
        }
    }

    // MARK: - Timeouts

    @Test("a request slower than its timeout fails with timeout soon after the limit")
    func timeout() async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient { client, sink in
            let started = ContinuousClock.now
            let error = await expectSwitchyardError { try await client.send(OutboundRequest(url: base + "/delay/10", timeout: .seconds(1))) }
            let elapsed = ContinuousClock.now - started
            #expect(error?.key == .timeout)
            #expect(error?.message == "the request to 127.0.0.1 did not complete within 1 s")
            // Well before the server's 10 s, even on a loaded machine.
            #expect(elapsed < .seconds(9), "took \(elapsed)")
            #expect(await sink.entries.first?.error?.hasPrefix("timeout") == true)
        }
    }

    @Test("the settings' request timeout applies when the request sets none, body included")
    func settingsTimeout() async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient(loopbackSettings { $0.requestTimeout = .milliseconds(800) }) { client, _ in
            let started = ContinuousClock.now
            // /drip sends its head at once and the body over 12 s.
            let error = await expectSwitchyardError { try await client.send(OutboundRequest(url: base + "/drip?duration=12&numbytes=6&delay=0")) }
            #expect(error?.key == .timeout)
            #expect(ContinuousClock.now - started < .seconds(10), "well before the body's 12 s")
        }
    }

    // MARK: - Redirects

    @Test("redirects are followed, each one logged")
    func redirects() async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient { client, sink in
            let response = try await client.send(OutboundRequest(url: base + "/redirect/3"))
            #expect(response.status == .ok)
            #expect(response.url == base + "/get")
            #expect(await sink.entries.map(\.status) == [302, 302, 302, 200])
            #expect(await sink.entries.map(\.redirect) == [0, 1, 2, 3])
        }
    }

    @Test("more redirects than the limit fail with a message naming the limit")
    func tooManyRedirects() async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient(loopbackSettings { $0.maxRedirects = 5 }) { client, sink in
            let error = await expectSwitchyardError { try await client.send(OutboundRequest(url: base + "/redirect/10")) }
            #expect(error?.key == .unavailable)
            #expect(error?.message.contains("at most 5 redirects") == true)
            #expect(await sink.entries.count == 6)
        }
    }

    @Test("a redirect to the metadata address is refused on the hop, without sending to it")
    func redirectToMetadata() async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient { client, sink in
            for target in ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/", "http://[::ffff:169.254.169.254]/", "http://2130706433/"] {
                let encoded = try #require(target.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
                let error = await expectSwitchyardError { try await client.send(OutboundRequest(url: base + "/redirect-to?url=\(encoded)")) }
                #expect(error?.key == .accessDenied, "\(target)")
                #expect(error?.message.hasPrefix("127.0.0.1 redirected to a refused destination") == true, "\(String(describing: error))")
            }
            let entries = await sink.entries
            #expect(entries.filter(\.sent).allSatisfy { $0.host == "127.0.0.1" })
            #expect(client.requestsSent == 4)
        }
    }

    @Test("303, and 302 after POST, become GET without body; 307 and 308 keep method and body")
    func redirectMethods() async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient { client, _ in
            for (status, method) in [(303, "GET"), (302, "GET"), (301, "GET"), (307, "POST"), (308, "POST")] {
                let response = try await client.send(
                    OutboundRequest(
                        method: .POST, url: base + "/redirect-to?url=%2Fanything&status_code=\(status)",
                        headers: ["Content-Type": "text/plain"], body: Array("payload".utf8)))
                let echoed = try JSONValue.parse(response.text)
                #expect(echoed["method"] == .string(method), "\(status)")
                #expect(echoed["data"] == .string(method == "POST" ? "payload" : ""), "\(status)")
            }
        }
    }

    @Test("credential headers are dropped when a redirect changes host, kept when it does not")
    func redirectDropsCredentials() async throws {
        let base = try await HTTPBin.baseURL()
        let port = try #require(URLComponents(string: base)?.port)
        let headers: HTTPHeaders = [
            "Authorization": "Bearer hop-secret-1", "Cookie": "session=hop-secret-2", "X-Api-Key": "hop-secret-3", "X-Trace": "kept",
        ]
        try await withClient { client, _ in
            let sameHost = try await client.send(OutboundRequest(url: base + "/redirect-to?url=%2Fheaders", headers: headers))
            let same = try JSONValue.parse(sameHost.text)["headers"]
            #expect(same?["Authorization"] == .string("Bearer hop-secret-1"))
            #expect(same?["Cookie"] == .string("session=hop-secret-2"))

            let target = "http://localhost:\(port)/headers".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let otherHost = try await client.send(OutboundRequest(url: base + "/redirect-to?url=\(target)", headers: headers))
            let other = try JSONValue.parse(otherHost.text)["headers"]
            #expect(other?["Host"] == .string("localhost:\(port)"))
            #expect(other?["Authorization"] == nil)
            #expect(other?["Cookie"] == nil)
            #expect(other?["X-Api-Key"] == nil)
            #expect(other?["X-Trace"] == .string("kept"))
        }
    }

    // MARK: - Response size

    @Test("a body over the limit fails with too_large, whether announced by Content-Length or streamed")
    func tooLarge() async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient(loopbackSettings { $0.maxResponseBytes = 10_000 }) { client, sink in
            for path in ["/bytes/50000", "/stream-bytes/50000?chunk_size=1000"] {
                let error = await expectSwitchyardError { try await client.send(OutboundRequest(url: base + path)) }
                #expect(error?.key == .tooLarge, "\(path)")
                #expect(error?.message.contains("10000-byte limit") == true, "\(String(describing: error))")
            }
            #expect(await sink.entries.allSatisfy { $0.responseBodyBytes <= 10_000 })
            let small = try await client.send(OutboundRequest(url: base + "/stream-bytes/9000?chunk_size=1000"))
            #expect(small.body.count == 9000)
            let override = await expectSwitchyardError { try await client.send(OutboundRequest(url: base + "/bytes/2000", maxResponseBytes: 1024)) }
            #expect(override?.message.contains("1 KiB limit") == true)
        }
    }

    @Test("a streamed response arrives chunk by chunk, and streaming past the limit throws too_large")
    func streaming() async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient(loopbackSettings { $0.maxResponseBytes = 10_000 }) { client, sink in
            let (status, count) = try await client.stream(OutboundRequest(url: base + "/stream-bytes/9000?chunk_size=1000")) { head, body in
                var count = 0
                for try await chunk in body { count += chunk.readableBytes }
                return (head.status, count)
            }
            #expect(status == .ok)
            #expect(count == 9000)
            #expect(await sink.entries.last?.responseBodyBytes == 9000)
            let error = await expectSwitchyardError {
                try await client.stream(OutboundRequest(url: base + "/stream-bytes/50000?chunk_size=1000")) { _, body in
                    for try await _ in body {}
                }
            }
            #expect(error?.key == .tooLarge)
        }
    }

    // MARK: - SSRF against a live server

    @Test("loopback is refused by default and reachable once 127.0.0.0/8 is allowed")
    func loopbackAllowList() async throws {
        let base = try await HTTPBin.baseURL()
        try await withClient(OutboundHTTPSettings()) { client, _ in
            let error = await expectSwitchyardError { try await client.send(OutboundRequest(url: base + "/get")) }
            #expect(error?.key == .accessDenied)
            #expect(error?.message.contains("127.0.0.1 is a loopback address") == true)
            #expect(client.requestsSent == 0)
        }
        let allowed = OutboundHTTPSettings(addressPolicy: try AddressPolicy(allowedNetworksText: "127.0.0.0/8"))
        try await withClient(allowed) { client, _ in
            let response = try await client.send(OutboundRequest(url: base + "/get"))
            #expect(response.status == .ok)
            // The allow-list opens loopback only.
            let error = await expectSwitchyardError { try await client.send(OutboundRequest(url: "http://10.1.2.3/get")) }
            #expect(error?.key == .accessDenied)
            #expect(client.requestsSent == 1)
        }
    }
}

extension HTTPBin {
    /// A loopback port nothing listens on (the kernel picked it, and it was closed again).
    static func closedPort() async throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
