import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

import SwitchyardAPI
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardEngine
import SwitchyardTestSupport

/// `/connect` in JSON (`Accept: application/json`), as the end-user UI drives it: the form to
/// draw with each field's schema, the input checked against `inputSchema` on the server with one
/// message per field, the new connection's id instead of a redirect, and `PATCH /workspace`'s
/// embedding origins.
@Suite(.enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct ConnectJSONTests {
    /// A logo the end-user UI can show without loading anything from elsewhere.
    static let logo = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"

    /// Posts a JSON connect body with `Accept: application/json`.
    static func connect(_ client: APIClient, token: String?, _ body: JSONValue) async throws -> APIClient.Answer {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        headers[.contentType] = "application/json"
        headers[.accept] = "application/json"
        let response = try await client.client.execute(uri: "/connect", method: .post, headers: headers, body: ByteBuffer(string: body.jsonText))
        let text = String(buffer: response.body)
        return .init(status: Int(response.status.code), json: (try? JSONValue.parse(text)) ?? .string(text), headers: response.headers)
    }

    @Test("JSON connect: the form with each field's schema, schema errors per field from the server, a refused test, then the connection's id")
    func connectInJSON() async throws {
        let server = try await PythonTestServer.start("httpbin_server.py")
        let harness = try await APIHarness.make(connections: true)
        do {
            try await harness.withClient { client in
                let admin = try await harness.adminToken()
                let tenant = try await harness.tenantToken("acme")
                var package = TestConnectors.basicAuthBin(baseURI: "http://127.0.0.1:\(server.port)", password: "correct-horse")
                let spec = String(decoding: package["spec.yml"] ?? Data(), as: UTF8.self)
                package["spec.yml"] = Data(spec.replacingOccurrences(of: "name: Bin\n", with: "name: Bin\nlogoUri: \"\(Self.logo)\"\n").utf8)
                try await client.install("bin", name: "Bin", package: package, admin: admin)
                let done = "http://127.0.0.1:1/ui/done"
                let listed = try await client.send(.get, "/integrations", token: tenant)
                #expect(listed.json["items"]?.arrayValue?.first?["logoUri"] == .string(Self.logo), "the connector's logo: \(listed.json)")
                #expect(try await client.send(.get, "/integrations/bin", token: tenant).json["logoUri"] == .string(Self.logo))

                let form = try await Self.connect(client, token: tenant, ["integrationKey": "bin", "redirectUri": .string(done)])
                #expect(form.status == 200, "\(form.json)")
                let fields = form.json["form"]?["fields"]?.arrayValue ?? []
                #expect(fields.map { $0["name"]?.stringValue } == ["password", "username"], "\(form.json)")
                #expect(fields.first?["secret"] == true && fields.last?["required"] == true)
                #expect(fields.last?["schema"]?["pattern"] == "^[a-z]+$", "each field carries its schema for the page's own checks")

                let invalid = try await Self.connect(
                    client, token: tenant,
                    ["integrationKey": "bin", "redirectUri": .string(done), "input": ["username": "Ada Lovelace", "password": "x"]])
                #expect(
                    invalid.status == 400 && invalid.json["data"]?["username"] != nil && invalid.json["data"]?["password"] == nil, "\(invalid.json)")
                let missing = try await Self.connect(client, token: tenant, ["integrationKey": "bin", "input": ["username": "ada"]])
                #expect(missing.status == 400 && missing.json["data"]?["password"] == "is required", "\(missing.json)")
                let refused = try await Self.connect(
                    client, token: tenant, ["integrationKey": "bin", "redirectUri": .string(done), "input": ["username": "ada", "password": "wrong"]])
                #expect(refused.status == 403 && refused.json["message"]?.stringValue?.contains("test failed") == true, "\(refused.json)")
                #expect(try await client.send(.get, "/connections", token: tenant).json["items"]?.arrayCount == 0, "failed attempts store nothing")

                let connected = try await Self.connect(
                    client, token: tenant,
                    ["integrationKey": "bin", "redirectUri": .string(done), "input": ["username": "ada", "password": "correct-horse"]])
                let id = try #require(connected.json["connectionId"]?.stringValue, "\(connected.json)")
                #expect(try await client.send(.get, "/connections/\(id)", token: tenant).status == 200)

                let unknown = try await Self.connect(client, token: tenant, ["integrationKey": "nope"])
                #expect(unknown.status == 404 && unknown.headers[.contentType]?.hasPrefix("application/json") == true, "\(unknown.json)")
                let anonymous = try await Self.connect(client, token: nil, ["integrationKey": "bin"])
                #expect(anonymous.status == 401, "\(anonymous.json)")
                let broken = try await Self.connect(client, token: nil, ["requestToken": "not-a-request"])
                #expect(broken.status == 400 && broken.json["data"]?["requestToken"] == "malformed", "\(broken.json)")
                #expect(broken.json["message"]?.stringValue?.contains("ask for a new one") == true, "a link's words, not OAuth state's")
            }
        } catch {
            Issue.record("\(error)")
        }
        try? await harness.http?.shutdown()
        await server.stop()
        harness.remove()
    }

    @Test("PATCH /workspace: embedding origins are normalized, checked one by one, and shown by GET /workspace")
    func embeddingOrigins() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            let set = try await client.send(
                .patch, "/workspace", token: admin,
                body: ["uiAllowedOrigins": ["HTTPS://App.Example.com:443", "http://127.0.0.1:8123", "http://127.0.0.1:8123/"]])
            #expect(set.status == 200 && set.json["uiAllowedOrigins"] == ["https://app.example.com", "http://127.0.0.1:8123"], "\(set.json)")
            let path = try await client.send(.patch, "/workspace", token: admin, body: ["uiAllowedOrigins": ["https://app.example.com/settings"]])
            #expect(path.status == 400 && path.json["data"]?["uiAllowedOrigins"]?.stringValue?.contains("no path") == true, "\(path.json)")
            let text = try await client.send(.patch, "/workspace", token: admin, body: ["uiAllowedOrigins": "https://app.example.com"])
            #expect(text.status == 400, "\(text.json)")
            let wildcard = try await client.send(.patch, "/workspace", token: admin, body: ["uiAllowedOrigins": ["*"]])
            #expect(wildcard.status == 200, "outside production * is allowed: \(wildcard.json)")
            let tenant = try await harness.tenantToken("acme")
            #expect(try await client.send(.patch, "/workspace", token: tenant, body: ["uiAllowedOrigins": []]).status == 403)
            let read = try await client.send(.get, "/workspace", token: admin)
            #expect(read.json["uiAllowedOrigins"] == ["*"], "\(read.json)")
        }
        harness.remove()
    }
}
