import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardAPI
import SwitchyardCodeRunner
import SwitchyardCore
import SwitchyardEngine
import SwitchyardTestSupport
import Testing

/// A connection's credentials go only to its API's base URI host and the hosts its connector
/// declares in `allowedHosts`, whoever writes the URL: the proxy's caller, an action, a
/// rest-api-mapping operation, or JavaScript through `externalApiClient`. Against httpbin as the
/// connector's API and the SaaS test server (which records every webhook it receives) as
/// another host on loopback.
@Suite(.enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct CredentialHostTests {
    static let partnerKey = "partner-key-of-the-saas-0123"

    /// A connector whose `makeApiClient` sends the integration's partner key, with the given
    /// `allowedHosts` (none when nil), and operations that post to a URL they are given.
    static func spec(baseURI: String, allowedHosts: String?) -> String {
        """
        auth:
          type: client-credentials
        \(allowedHosts.map { "  allowedHosts: [\"\($0)\"]" } ?? "")
          makeApiClient:
            type: mapping
            mapping:
              baseUri: \(baseURI)
              headers:
                X-Api-Key: { $var: connectorParameters.partnerKey }
        """
    }

    static func operations(posting url: String) -> [String: String] {
        [
            "operations/post-map/spec.yml": """
            name: Post with a mapping
            run:
              type: rest-api-mapping
              path: \(url)
              method: POST
            """,
            "operations/post-js/spec.yml": "name: Post from JavaScript\n",
            "operations/post-js/run.js": """
            module.exports = async function ({ input, externalApiClient }) {
              return await externalApiClient.post(input.url, { from: 'javascript' })
            }
            """,
        ]
    }

    @Test(
        """
        A full URL to another host is refused with 403 naming it and the host receives nothing, through the proxy, an action, an operation and \
        externalApiClient; a host in allowedHosts gets the credentials
        """
    )
    func credentialsStayOnTheirHosts() async throws {
        let httpbin = try await PythonTestServer.start("httpbin_server.py")
        let base = try await APIHarness.make()
        let other = try await PythonTestServer.start(
            "saas_server.py", arguments: ["--workspace-key", base.workspace.key, "--secret", base.workspace.secret])
        let code: (any CodeExecutor)? = ConnectorFunctionTests.sandboxAvailable ? try await ConnectorFunctionTests.runner.value : nil
        let harness = try await APIHarness.make(connections: true, sharing: base, code: code)
        let browser = OAuthConnectionTests.Browser()
        do {
            try await harness.withClient { client in
                let admin = try await harness.adminToken()
                let tenant = try await harness.tenantToken("acme")
                let partnerTenant = try await harness.tenantToken("globex")
                let otherHost = "127.0.0.1:\(other.port)"
                try await ConnectionFlowTests.install(
                    client, admin: admin, spec: Self.spec(baseURI: httpbin.baseURL, allowedHosts: nil),
                    files: Self.operations(posting: "http://\(otherHost)/webhooks/operation"), parameters: ["partnerKey": .string(Self.partnerKey)]
                )
                try await ConnectionFlowTests.install(
                    client, admin: admin, spec: Self.spec(baseURI: httpbin.baseURL, allowedHosts: otherHost),
                    parameters: ["partnerKey": .string(Self.partnerKey)],
                    integration: "partner"
                )
                #expect(try await client.send(.get, "/connect?integrationKey=hub&token=\(tenant)", token: nil).status == 200)
                #expect(try await client.send(.get, "/connect?integrationKey=partner&token=\(partnerTenant)", token: nil).status == 200)
                let connectionID = try #require(try await client.send(.get, "/connections", token: tenant).json["items"]?[0]?["id"]?.stringValue)
                let partnerID = try #require(try await client.send(.get, "/connections", token: partnerTenant).json["items"]?[0]?["id"]?.stringValue)

                // The API's own host gets the key, by path and by full URL.
                let own = try await client.send(.get, "/connections/\(connectionID)/proxy/headers", token: tenant)
                #expect(own.status == 200 && own.json["headers"]?["X-Api-Key"]?.stringValue == Self.partnerKey, "\(own.json)")
                let ownFull = try await client.send(.get, "/connections/\(connectionID)/proxy/\(httpbin.baseURL)/headers", token: tenant)
                #expect(ownFull.status == 200 && ownFull.json["headers"]?["X-Api-Key"]?.stringValue == Self.partnerKey, "\(ownFull.json)")

                func refused(_ answer: APIClient.Answer, _ what: String) {
                    #expect(answer.status == 403, "\(what): \(answer.status) \(answer.json)")
                    #expect(answer.json["message"]?.stringValue?.contains(otherHost) == true, "\(what) names the host: \(answer.json)")
                    #expect(!answer.json.jsonText.contains(Self.partnerKey), "\(what): \(answer.json)")
                }
                // The proxy.
                refused(
                    try await client.send(
                        .post, "/connections/\(connectionID)/proxy/http://\(otherHost)/webhooks/proxy", token: tenant, body: ["n": 1]), "proxy")
                let proxied = try await client.send(
                    .post, "/connections/\(connectionID)/proxy/http://\(otherHost)/webhooks/proxy", token: tenant, body: ["n": 1])
                #expect(proxied.json["key"] == "access_denied", "\(proxied.json)")
                // An action.
                let created = try await client.send(
                    .post, "/actions", token: admin,
                    body: [
                        "key": "leak", "name": "leak", "type": "api-request-to-external-app",
                        "config": ["method": "POST", "path": .string("http://\(otherHost)/webhooks/action")],
                    ]
                )
                #expect(created.status == 201, "\(created.json)")
                refused(
                    try await client.send(.post, "/actions/leak/run", token: tenant, body: ["input": [:], "connectionId": .string(connectionID)]),
                    "action")
                // An operation with a rest-api-mapping.
                let mapped = try await client.send(.post, "/connections/\(connectionID)/operations/post-map/run", token: tenant, body: [:])
                refused(mapped, "rest-api-mapping operation")
                // JavaScript's externalApiClient.
                if code != nil {
                    let script = try await client.send(
                        .post, "/connections/\(connectionID)/operations/post-js/run", token: tenant,
                        body: ["url": .string("http://\(otherHost)/webhooks/javascript")]
                    )
                    #expect(script.status != 200, "\(script.json)")
                    #expect(script.json["message"]?.stringValue?.contains(otherHost) == true, "externalApiClient names the host: \(script.json)")
                }
                let received = try JSONValue.parse(try await browser.send(.GET, other.baseURL + "/_received").body)
                #expect(received == [], "the other host received nothing: \(received)")

                // A host the connector declares in allowedHosts gets the credentials.
                let allowed = try await client.send(
                    .post, "/connections/\(partnerID)/proxy/http://\(otherHost)/webhooks/allowed", token: partnerTenant, body: ["n": 2])
                #expect(allowed.status == 200, "\(allowed.json)")
                let delivered = try JSONValue.parse(try await browser.send(.GET, other.baseURL + "/_received").body)
                #expect(delivered.arrayCount == 1 && delivered[0]?["path"] == "/webhooks/allowed", "\(delivered)")
                #expect(delivered[0]?["headers"]?["x-api-key"]?.stringValue == Self.partnerKey, "\(delivered)")
            }
        } catch {
            Issue.record("\(error)\nhttpbin log:\n\(httpbin.errorTail)\nother host's log:\n\(other.errorTail)")
        }
        await harness.tearDown(browser: browser, servers: [httpbin, other], sharing: base)
    }
}
