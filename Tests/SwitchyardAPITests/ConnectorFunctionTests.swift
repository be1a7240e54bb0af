import Foundation
import HTTPTypes
import Logging
import Prometheus
import SwitchyardAPI
import SwitchyardCodeRunner
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardEngine
import SwitchyardTestSupport
import Testing

/// Connector functions written in JavaScript run in the custom code runner's sandbox, and their
/// `externalApiClient` calls go out as the connection; the proxy streams what the upstream
/// sends. Against httpbin on loopback.
@Suite(.enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct ConnectorFunctionTests {
    static let sandboxAvailable =
        (FileManager.default.isExecutableFile(atPath: "/usr/bin/node") && FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap"))
        || PythonTestServer.requireAll

    static let runner = Task { () throws -> CodeRunner in
        let settings = CodeRunnerSettings(
            jobSpaces: 2, warmPoolSize: 1, memoryLimitBytes: 256 * 1024 * 1024, defaultTimeout: .seconds(20), maxTimeout: .seconds(30),
            maxInputBytes: 1024 * 1024,
            maxOutputBytes: 256 * 1024, maxLogBytes: 16 * 1024, jobsPerProcess: 50, idleTimeout: .seconds(30), queueWait: .seconds(60)
        )
        return try await CodeRunner.start(settings: settings, registry: PrometheusCollectorRegistry(), logger: Logger(label: "api-test"))
    }

    @Test(
        """
        JavaScript getCredentialsFromConnectionParameters, makeApiClient, test and an operation run in the sandbox; a failing JavaScript test stores \
        nothing
        """,
        .enabled(if: sandboxAvailable, "needs node and bubblewrap")
    )
    func javascriptFunctions() async throws {
        let server = try await PythonTestServer.start("httpbin_server.py")
        let harness = try await APIHarness.make(connections: true, code: try await Self.runner.value)
        do {
            try await harness.withClient { client in
                let admin = try await harness.adminToken()
                let tenant = try await harness.tenantToken("acme")
                try await ConnectionFlowTests.install(
                    client, admin: admin,
                    spec: """
                        auth:
                          type: client-credentials
                          inputSchema:
                            type: object
                            required: [apiKey]
                            properties:
                              apiKey: { type: string }
                        """,
                    files: [
                        "getCredentialsFromConnectionParameters.js": "module.exports = async ({ input }) => ({ token: input.apiKey.trim() })\n",
                        "makeApiClient.js": """
                        module.exports = async function ({ credentials, connectorParameters }) {
                          return { baseUri: connectorParameters.baseUri, headers: { Authorization: 'Bearer ' + credentials.token } }
                        }
                        """,
                        "test.js": """
                        module.exports = async function ({ externalApiClient }) {
                          const answer = await externalApiClient.get('/bearer')
                          return answer.authenticated === true && answer.token.startsWith('key-')
                        }
                        """,
                        "operations/echo/spec.yml": "name: Echo\n",
                        "operations/echo/run.js": """
                        module.exports = async function ({ input, externalApiClient }) {
                          const answer = await externalApiClient.post('/anything', input)
                          return { sent: answer.json, auth: answer.headers.Authorization }
                        }
                        """,
                    ],
                    parameters: ["baseUri": .string(server.baseURL)]
                )
                let refused = try await client.send(
                    .post, "/connect", token: nil, body: ["integrationKey": "hub", "token": .string(tenant), "input": ["apiKey": "wrong"]])
                #expect(refused.status == 403 && refused.json["message"]?.stringValue?.contains("test.js") == true, "\(refused.json)")
                #expect(try await client.send(.get, "/connections", token: tenant).json["items"]?.arrayCount == 0)

                let connected = try await client.send(
                    .post, "/connect", token: nil, body: ["integrationKey": "hub", "token": .string(tenant), "input": ["apiKey": "  key-123  "]])
                #expect(connected.status == 200, "\(connected.json)")
                let connectionID = try #require(try await client.send(.get, "/connections", token: tenant).json["items"]?[0]?["id"]?.stringValue)
                let run = try await client.send(
                    .post, "/connections/\(connectionID)/operations/echo/run", token: tenant, body: ["n": 1, "text": "héllo"])
                #expect(run.status == 200, "\(run.json)")
                #expect(run.json["output"]?["sent"] == ["n": 1, "text": "héllo"] && run.json["output"]?["auth"] == "Bearer key-123", "\(run.json)")
                let tested = try await client.send(.post, "/connections/\(connectionID)/test", token: tenant)
                #expect(tested.status == 200, "\(tested.json)")
            }
        } catch {
            Issue.record("\(error)\nhttpbin log:\n\(server.errorTail)")
        }
        try? await harness.http?.shutdown()
        await server.stop()
        harness.remove()
    }

    @Test(
        """
        The proxy streams the upstream's status, headers and body; a changed integration applies at once in the process that changed it and within \
        seconds in another
        """
    )
    func proxyStreams() async throws {
        let server = try await PythonTestServer.start("httpbin_server.py")
        let harness = try await APIHarness.make(connections: true)
        // Two other processes: one keeps what it read for an hour, so it still has the old value
        // however slow the machine; the other keeps it for a second, so it sees the change soon.
        let keeping = try await APIHarness.make(connections: true, sharing: harness, configurationTimeToLive: .seconds(3600))
        let other = try await APIHarness.make(connections: true, sharing: harness, configurationTimeToLive: .seconds(1))
        do {
            try await harness.withClient { client in
                let admin = try await harness.adminToken()
                let tenant = try await harness.tenantToken("acme")
                try await ConnectionFlowTests.install(
                    client, admin: admin,
                    spec: """
                        auth:
                          type: client-credentials
                          makeApiClient:
                            type: mapping
                            mapping:
                              baseUri: { $var: connectorParameters.baseUri }
                              headers:
                                X-Greeting: { $var: connectorParameters.greeting }
                        """,
                    parameters: ["baseUri": .string(server.baseURL), "greeting": "hello"]
                )
                #expect(try await client.send(.get, "/connect?integrationKey=hub&token=\(tenant)", token: nil).status == 200)
                let connectionID = try #require(try await client.send(.get, "/connections", token: tenant).json["items"]?[0]?["id"]?.stringValue)
                // httpbin's /range sends the alphabet over and over, in chunks of chunk_size.
                let (proxied, bytes) = try await client.sendBytes(
                    .get, "/connections/\(connectionID)/proxy/range/102400?chunk_size=4096", token: tenant, body: nil, contentType: nil)
                #expect(proxied.status == 200)
                let alphabet = Array("abcdefghijklmnopqrstuvwxyz".utf8)
                #expect(bytes.count == 102_400 && bytes == (0..<102_400).map { alphabet[$0 % 26] }, "\(bytes.count) bytes")
                let teapot = try await client.send(.get, "/connections/\(connectionID)/proxy/status/418", token: tenant)
                #expect(teapot.status == 418)
                let headers = try await client.send(.get, "/connections/\(connectionID)/proxy/response-headers?X-Upstream=kept", token: tenant)
                #expect(headers.status == 200 && headers.headers[.init("X-Upstream")!] == "kept", "\(headers.headers)")

                // Integrations and packages are kept for a moment per process: a change made here
                // applies here at once, and in another process within its time to live.
                @Sendable func greeting(_ client: APIClient) async throws -> String? {
                    try await client.send(.get, "/connections/\(connectionID)/proxy/headers", token: tenant).json["headers"]?["X-Greeting"]?
                        .stringValue
                }
                try await keeping.withClient { keepingClient in
                    try await other.withClient { otherClient in
                        #expect(try await greeting(keepingClient) == "hello")
                        #expect(try await greeting(otherClient) == "hello")
                        let parameters: JSONValue = ["baseUri": .string(server.baseURL), "greeting": "bonjour"]
                        let patched = try await client.send(.patch, "/integrations/hub", token: admin, body: ["parameters": parameters])
                        #expect(patched.status == 200, "\(patched.json)")
                        #expect(try await greeting(client) == "bonjour", "the process that made the change uses it at once")
                        #expect(
                            try await greeting(keepingClient) == "hello", "another process still has the integration it read, within its time to live"
                        )
                        let deadline = ContinuousClock.now + .seconds(20)
                        var seen = "hello"
                        while seen != "bonjour", ContinuousClock.now < deadline {
                            try await Task.sleep(for: .milliseconds(200))
                            seen = try await greeting(otherClient) ?? ""
                        }
                        #expect(seen == "bonjour", "another process sees the change once its time to live has passed")
                    }
                }
            }
        } catch {
            Issue.record("\(error)\nhttpbin log:\n\(server.errorTail)")
        }
        try? await harness.http?.shutdown()
        try? await keeping.http?.shutdown()
        try? await other.http?.shutdown()
        await server.stop()
        harness.remove()
    }
}
