import Foundation
import NIOHTTP1
import Testing

import SwitchyardCore
import SwitchyardEngine
import SwitchyardTestSupport

@Suite("Secrets stay out of logs")
struct SecretRedactionTests {
    /// Every credential the requests below carry; none may appear in a log line or log entry.
    static let secrets = [
        "HDRKEY-7f3a9c21", "BEARER-5d8e2b4f", "QUERYTOKEN-91c4e7a0", "BODYPASS-2b6f8d13", "CONNSECRET-0a9e4c77",
        "SWTOKEN-44d1b2c9", "COOKIEVAL-6e2a1f08", "BASICPW-3c7d9e15", "FORMSECRET-8b1f0c2e", "SIG-5a5a5a5a5a",
    ]

    @Test(
        "no credential value appears in any log line or external API log entry",
        .enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
    func noSecretsLogged() async throws {
        let base = try await HTTPBin.baseURL()
        let capture = LogCapture()
        let basic = "Basic " + Data("svc-user:BASICPW-3c7d9e15".utf8).base64EncodedString()
        try await withClient(loopbackSettings { $0.maxAttempts = 2 }, logger: capture.logger) { client, sink in
            let headers: HTTPHeaders = [
                "X-Api-Key": "HDRKEY-7f3a9c21", "Authorization": "Bearer BEARER-5d8e2b4f", "X-Switchyard-Token": "SWTOKEN-44d1b2c9",
                "Cookie": "session=COOKIEVAL-6e2a1f08; theme=dark", "Content-Type": "application/json", "X-Plain": "CONNSECRET-0a9e4c77",
            ]
            let json = #"{"name":"widget","password":"BODYPASS-2b6f8d13","nested":{"client_secret":"CONNSECRET-0a9e4c77"},"note":"uses CONNSECRET-0a9e4c77"}"#
            // The connection's credential, passed with every request that carries it.
            let connection = ["CONNSECRET-0a9e4c77"]
            // Echoed back whole by httpbin: the response bodies repeat every secret.
            let requests = [
                OutboundRequest(
                    method: .POST, url: base + "/anything/CONNSECRET-0a9e4c77?api_key=QUERYTOKEN-91c4e7a0&page=2&signature=SIG-5a5a5a5a5a",
                    headers: headers, body: Array(json.utf8), secrets: connection),
                OutboundRequest(url: base + "/basic-auth/svc-user/BASICPW-3c7d9e15", headers: ["Authorization": basic]),
                OutboundRequest(
                    method: .PUT, url: base + "/anything", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                    body: Array("user=a&secret=FORMSECRET-8b1f0c2e".utf8)),
                OutboundRequest(url: base + "/redirect-to?url=%2Fheaders&token=QUERYTOKEN-91c4e7a0", headers: headers, secrets: connection),
                OutboundRequest(url: base + "/status/503?access_token=QUERYTOKEN-91c4e7a0", headers: headers, secrets: connection),
                OutboundRequest(
                    url: base + "/delay/3?apikey=QUERYTOKEN-91c4e7a0", headers: headers, timeout: .milliseconds(300), secrets: connection),
                OutboundRequest(url: "http://10.9.9.9/x?token=QUERYTOKEN-91c4e7a0", headers: headers, secrets: connection),
            ]
            for request in requests {
                let response = try? await client.send(request)
                if let response, request.url.contains("/anything/") {
                    // The server got the real values.
                    #expect(response.text.contains("BODYPASS-2b6f8d13") && response.text.contains("QUERYTOKEN-91c4e7a0"))
                }
            }
            let entries = await sink.entries
            #expect(entries.count >= requests.count)
            let logged = capture.text + "\n" + entries.map { String(describing: $0) }.joined(separator: "\n")
            for secret in Self.secrets {
                #expect(!logged.contains(secret), "\(secret) was logged")
            }
            // The fragments of a Basic credential too.
            #expect(!logged.contains(Data("svc-user:BASICPW-3c7d9e15".utf8).base64EncodedString()))
            #expect(capture.count >= requests.count)
            // What is not secret is still there to read.
            let first = try #require(entries.first)
            #expect(first.url.hasSuffix("/anything/[redacted]?api_key=[redacted]&page=2&signature=[redacted]"))
            #expect(first.requestHeaders.contains(.init(name: "X-Switchyard-Token", value: "[redacted]")))
            #expect(first.requestHeaders.contains(.init(name: "Content-Type", value: "application/json")))
            #expect(first.requestBodyPreview?.contains(#""name":"widget""#) == true)
            #expect(first.responseBodyPreview?.contains("\"method\": \"POST\"") == true)
            #expect(first.status == 200)
        }
    }
}

@Suite("Redaction rules")
struct RedactionRuleTests {
    @Test("sensitive names are recognised case-insensitively", arguments: [
        "Authorization", "proxy-authorization", "COOKIE", "Set-Cookie", "x-api-key", "X-Switchyard-Token", "access_token",
        "client_secret", "Password", "apiKey", "api-key", "API_KEY", "X-Auth-User", "X-Hub-Signature-256", "private_key",
    ])
    func sensitive(name: String) {
        #expect(OutboundHTTPClient.isSensitiveName(name))
    }

    @Test("ordinary names are not", arguments: ["Content-Type", "Accept", "page", "name", "X-Request-ID", "User-Agent", "Date"])
    func ordinary(name: String) {
        #expect(!OutboundHTTPClient.isSensitiveName(name))
    }

    @Test("a preview is cut at the limit without showing the start of a secret")
    func cutPreview() async throws {
        let capture = LogCapture()
        try await withClient(OutboundHTTPSettings(previewBytes: 24), logger: capture.logger, resolver: StubResolver()) { client, sink in
            let body = Array("0123456789abcdefghij-LONGSECRETVALUE-0123456789".utf8)
            _ = try? await client.send(OutboundRequest(method: .POST, url: "http://10.0.0.1/", body: body, secrets: ["LONGSECRETVALUE"]))
            let preview = try #require(await sink.entries.first?.requestBodyPreview)
            #expect(preview == "0123456789abcdefghij-[redacted]…")
            #expect(!preview.contains("LONG"))
        }
    }

    @Test(
        "sensitive fields are redacted however they are spelled: percent-encoded form names, non-ASCII letters, any case",
        arguments: [
            ("a=1&%74oken=pct-value-1", "pct-value-1"), ("{\"\u{212A}ey\": \"kelvin-value-2\"}", "kelvin-value-2"),
            ("{\"PassWord\": \"case-value-3\", \"x\": 1}", "case-value-3"), ("plain=ok&Api_Key=form-value-4", "form-value-4"),
        ])
    func spelledFields(body: String, value: String) async throws {
        try await withClient(OutboundHTTPSettings(previewBytes: 200), logger: LogCapture().logger, resolver: StubResolver()) { client, sink in
            _ = try? await client.send(OutboundRequest(method: .POST, url: "http://10.0.0.1/", body: Array(body.utf8)))
            let preview = try #require(await sink.entries.first?.requestBodyPreview)
            #expect(!preview.contains(value) && preview.contains("[redacted]"), "\(preview)")
        }
    }
}
