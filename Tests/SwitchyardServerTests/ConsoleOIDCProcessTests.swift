import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardTestSupport
import Testing

/// OpenID Connect sign-in on the real binary: `OIDC_*` from the environment, the redirect URI
/// built from `BASE_URI` and the console's base path, an invitation made with
/// `switchyard console users add --no-password`, and the loopback OpenID provider of
/// `Tests/Servers/oidc_server.py`.
@Suite(
    .enabled(if: TestEnvironment.canRunBinary, "needs the built switchyard binary"),
    .enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct ConsoleOIDCProcessTests {
    /// The public URL the console is configured with; the test browser maps it to the process.
    static let publicURL = "http://console.test"

    @Test func invitedUserSignsInThroughTheProviderOnTheBinary() async throws {
        let redirectURI = Self.publicURL + "/admin/login/oidc/callback"
        let provider = try await PythonTestServer.start(
            "oidc_server.py", arguments: ["--client", "binary-client:binary-secret:\(redirectURI)", "--email", "Grace@Partner.org"])
        let directory = try await SwitchyardProcess.migratedDataDirectory()
        let invited = try await SwitchyardProcess.run(
            ["console", "users", "add", "--email", "grace@partner.org", "--name", "Grace", "--role", "admin", "--no-password"],
            environment: ["DATA_DIR": directory])
        #expect(invited.status == 0 && invited.output.contains("with no password (an invitation"), "\(invited.output)")
        #expect(!invited.output.contains("password: "), "no password is generated for an invitation")
        let both = try await SwitchyardProcess.run(
            ["console", "users", "add", "--email", "x@partner.org", "--name", "X", "--no-password", "--password-stdin"],
            environment: ["DATA_DIR": directory])
        #expect(both.status != 0 && both.output.contains("exclude each other"))

        let environment = [
            "DATA_DIR": directory, "BASE_URI": Self.publicURL, "CONSOLE_BASE_PATH": "/admin", "OIDC_ISSUER": provider.baseURL,
            "OIDC_CLIENT_ID": "binary-client", "OIDC_CLIENT_SECRET": "binary-secret", "OIDC_PROVIDER_NAME": "Partner SSO",
        ]
        let console = try SwitchyardProcess(["serve", "--role", "api,console"], environment: environment)
        let port = try await console.waitUntilHealthy()
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        var cookies: [String: String] = [:]
        var visited: [String] = []
        var page = (status: 0, location: String?.none, body: "")
        do {
            var url = "http://127.0.0.1:\(port)/admin/login"
            let login = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            let loginBody = String(buffer: try await login.body.collect(upTo: 1 << 20))
            #expect(loginBody.contains("Sign in with Partner SSO") && loginBody.contains("href=\"/admin/login/oidc\""))
            url = "http://127.0.0.1:\(port)/admin/login/oidc"
            for _ in 0..<10 {
                visited.append(url)
                var request = HTTPClientRequest(url: url)
                if url.hasPrefix("http://127.0.0.1:\(port)/") && !cookies.isEmpty {
                    request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
                }
                let response = try await client.execute(request, timeout: .seconds(30))
                for header in response.headers["Set-Cookie"] {
                    let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    cookies[String(pair[0])] = pair.count == 2 && !pair[1].isEmpty ? String(pair[1]) : nil
                }
                page = (Int(response.status.code), response.headers["Location"].first, String(buffer: try await response.body.collect(upTo: 1 << 20)))
                guard (300..<400).contains(page.status), let location = page.location else { break }
                // The console's public URL and its paths are this process.
                url = location.hasPrefix("/") ? "http://127.0.0.1:\(port)" + location
                    : location.replacingOccurrences(of: Self.publicURL, with: "http://127.0.0.1:\(port)")
            }
        } catch {
            try await client.shutdown()
            await provider.stop()
            throw error
        }
        try await client.shutdown()
        await provider.stop()
        #expect(visited.contains { $0.hasPrefix("\(provider.baseURL)/authorize?") && $0.contains("redirect_uri=http%3A%2F%2Fconsole.test%2Fadmin") })
        #expect(page.status == 200, "signed in and on the overview: \(visited) \(page.body.prefix(1500))")
        #expect(page.body.contains("grace@partner.org") && page.body.contains("platform admin"), "the invitation keeps its role")
        #expect(console.output.contains("the provider must allow the redirect URI \(redirectURI)"), "the log names the redirect URI")
        #expect(try await console.stop() == 0)
        #expect(!console.output.contains("binary-secret") && !console.output.contains("eyJ"), "no secret or token in the log")
    }
}
