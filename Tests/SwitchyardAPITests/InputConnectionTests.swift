import Foundation
import HTTPTypes
import Testing

import SwitchyardAPI
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardEngine
import SwitchyardTestSupport

/// Connections whose credentials the user types in (`client-credentials` auth): the connect
/// form rendered from `inputSchema`, the connector's `test` run against a real server
/// (httpbin's basic-auth endpoint) before anything is stored, and the proxy using them.
@Suite(.enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct InputConnectionTests {
    static func package(port: Int) -> [String: Data] {
        TestConnectors.basicAuthBin(baseURI: "http://127.0.0.1:\(port)", password: "correct-horse")
    }

    @Test("The connect form asks for the inputSchema's fields; a failing test stores nothing; a passing one connects, and the proxy and POST /test use the credentials")
    func inputConnection() async throws {
        let server = try await PythonTestServer.start("httpbin_server.py")
        let harness = try await APIHarness.make(connections: true)
        do {
            try await harness.withClient { client in
                let admin = try await harness.adminToken()
                let tenant = try await harness.tenantToken("acme")
                try await client.install("bin", name: "Bin", package: Self.package(port: server.port), admin: admin)

                // The form: both fields, the password hidden, the token carried along.
                let (form, page) = try await client.sendBytes(.get, "/connect?integrationKey=bin&redirectUri=https://app.example/done&token=\(tenant)", token: nil, body: nil, contentType: nil)
                let html = String(decoding: page, as: UTF8.self)
                #expect(form.status == 200 && form.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(html.contains("name=\"input.username\"") && html.contains("type=\"password\" name=\"input.password\"") && html.contains("name=\"token\""), "\(html)")

                func submit(_ fields: [(String, String)]) async throws -> String? {
                    let body = (fields + [("token", tenant), ("integrationKey", "bin"), ("redirectUri", "https://app.example/done")])
                        .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.1)" }.joined(separator: "&")
                    let (answer, _) = try await client.sendBytes(.post, "/connect", token: nil, body: Array(body.utf8), contentType: "application/x-www-form-urlencoded")
                    #expect(answer.status == 302)
                    return answer.headers[.location]
                }
                let wrong = try #require(try await submit([("input.username", "ada"), ("input.password", "wrong")]))
                #expect(wrong.contains("error=") && wrong.contains("401"), "\(wrong)")
                let missing = try #require(try await submit([("input.username", "ada")]))
                #expect(missing.contains("error=") && missing.contains("password"), "\(missing)")
                #expect(try await client.send(.get, "/connections", token: tenant).json["items"]?.arrayCount == 0, "failed attempts store nothing")

                let done = try #require(try await submit([("input.username", "ada"), ("input.password", "correct-horse")]))
                let id = try #require(URLComponents(string: done)?.queryItems?.first { $0.name == "connectionId" }?.value, "\(done)")
                let proxied = try await client.send(.get, "/connections/\(id)/proxy/basic-auth/ada/correct-horse", token: tenant)
                #expect(proxied.status == 200 && proxied.json["authenticated"] == true, "\(proxied.json)")
                #expect(try await client.send(.post, "/connections/\(id)/test", token: tenant).status == 200)
                let connection = try await client.send(.get, "/connections/\(id)", token: tenant)
                #expect(!connection.json.jsonText.contains("correct-horse"), "credentials never appear in the API")
            }
        } catch {
            Issue.record("\(error)")
        }
        try? await harness.http?.shutdown()
        await server.stop()
        harness.remove()
    }
}
