import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardConsole
import SwitchyardCore
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// A real OpenID provider on loopback (`Tests/Servers/oidc_server.py`) and a console configured
/// for it, with one platform admin (so sign-in is open: the first admin comes from setup).
struct OIDCTestWorld: Sendable {
    static let clientID = "console-client"
    static let clientSecret = "console-secret with spaces & symbols"
    static let origin = "https://console.example"
    static let redirectURI = origin + "/console/login/oidc/callback"
    static let adminEmail = "root@admin.test"

    let provider: PythonTestServer
    let harness: ConsoleHarness
    let logs = LogCapture()

    /// Starts the provider (signing in `email`) and a console that lets `allowedDomains` in.
    /// - Parameters:
    ///   - issuer: The configured issuer; the provider's own when `nil`.
    ///   - secureCookies: Whether the console is public over https (its cookies carry `Secure`).
    static func start(
        email: String = "ada@example.com", allowedDomains: [String] = ["example.com"], issuer: String? = nil, secureCookies: Bool = false
    ) async throws -> OIDCTestWorld {
        let provider = try await PythonTestServer.start(
            "oidc_server.py", arguments: ["--client", "\(clientID):\(clientSecret):\(redirectURI)", "--email", email])
        let settings = OIDCSettings(
            issuer: issuer ?? provider.baseURL, clientID: clientID, clientSecret: clientSecret, providerName: "Test provider",
            redirectURI: redirectURI, allowedEmailDomains: allowedDomains)
        let harness = try await ConsoleHarness(secureCookies: secureCookies, oidc: settings)
        try await harness.console.accounts.add(email: adminEmail, name: "Root", role: "admin", password: "correct horse battery")
        return OIDCTestWorld(provider: provider, harness: harness)
    }

    /// Changes how the provider behaves (`POST /_control`, see Tests/Servers/README.md).
    func control(_ settings: [String: any Sendable]) async throws {
        let body = try JSONSerialization.data(withJSONObject: settings)
        var request = HTTPClientRequest(url: provider.baseURL + "/_control")
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let answer = String(buffer: try await response.body.collect(upTo: 1 << 16))
        try #require(response.status.code == 200, "the provider refused the control \(settings): \(answer)")
    }

    /// The provider's request counts.
    func stats() async throws -> [String: Int] {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: provider.baseURL + "/_stats"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 16)
        return try JSONDecoder().decode([String: Int].self, from: Data(body.readableBytesView))
    }

    /// Live console sessions.
    func sessionCount() async throws -> Int {
        try await harness.store.records.all(.consoleSessions, scope: .workspace(harness.workspaceKey), filter: RecordFilter()).count
    }

    /// Runs `body` with browsers on the console (create as many as needed), then stops the provider.
    func run(_ body: @Sendable (_ newBrowser: @Sendable () -> OIDCBrowser) async throws -> Void) async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            try await harness.run(logger: logs.logger) { client in
                try await body { OIDCBrowser(console: client, http: http) }
            }
        } catch {
            try await http.shutdown()
            await provider.stop()
            throw error
        }
        try await http.shutdown()
        await provider.stop()
        #expect(!logs.text.contains("eyJ"), "no token (JWT) in the log:\n\(logs.text)")
    }
}

/// A browser that follows redirects by hand: console URLs (`https://console.example/…` or a
/// path) go to the console's router, the provider's go over HTTP. It keeps the console's
/// cookies and records every `Set-Cookie` and every URL it visited.
struct OIDCBrowser {
    let console: any TestClientProtocol
    let http: HTTPClient
    var cookies: [String: String] = [:]
    var setCookies: [String] = []
    var visited: [String] = []

    init(console: any TestClientProtocol, http: HTTPClient) {
        self.console = console
        self.http = http
    }

    /// The callback URL the provider sent the browser to last.
    var callbackURL: String? { visited.last { $0.contains("/login/oidc/callback") } }

    /// One `GET`, no redirect followed.
    mutating func get(_ url: String) async throws -> Page {
        visited.append(url)
        if url.hasPrefix("/") || url.hasPrefix(OIDCTestWorld.origin) {
            let path = url.hasPrefix("/") ? url : String(url.dropFirst(OIDCTestWorld.origin.count))
            var headers = HTTPFields()
            if !cookies.isEmpty { headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
            let response = try await console.executeRequest(uri: path, method: .get, headers: headers, body: nil)
            for cookie in response.headers[values: .setCookie] { remember(cookie) }
            return Page(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
        #expect(url.hasPrefix("http://127.0.0.1:"), "the browser only visits the console and the loopback provider: \(url)")
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        var headers = HTTPFields()
        for (name, value) in response.headers { if let name = HTTPField.Name(name) { headers.append(HTTPField(name: name, value: value)) } }
        return Page(status: HTTPResponse.Status(code: Int(response.status.code)), headers: headers, body: String(buffer: body))
    }

    /// `GET url`, then every redirect (at most 10) until a page that is not one.
    mutating func follow(_ url: String) async throws -> Page {
        var page = try await get(url)
        for _ in 0..<10 {
            guard (300..<400).contains(page.status.code), let location = page.location else { return page }
            page = try await get(location)
        }
        Issue.record("more than 10 redirects: \(visited)")
        return page
    }

    /// Starts an OpenID Connect sign-in from the sign-in page's link and follows it to its end.
    mutating func signIn() async throws -> Page {
        let login = try await get("/console/login")
        try #require(login.status == .ok, "the sign-in page: \(login.status)")
        try #require(login.body.contains("href=\"/console/login/oidc\""), "the sign-in page offers the provider")
        return try await follow("/console/login/oidc")
    }

    private mutating func remember(_ header: String) {
        setCookies.append(header)
        guard let pair = header.split(separator: ";").first?.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false),
            pair.count == 2
        else { return }
        let name = pair[0].trimmingCharacters(in: .whitespaces)
        if pair[1].isEmpty || header.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = String(pair[1]) }
    }
}
