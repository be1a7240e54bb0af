import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import SwitchyardConsole
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore
import Testing

/// The console on the production router chain (`SwitchyardRouter.make`, the console's routes,
/// `SwitchyardRouter.finish`) over a fresh, migrated SQLite store, with a known setup code.
struct ConsoleHarness: Sendable {
    static let setupCode = "ABCD-EFGH-JKLM"
    static let workspaceKey = "ws-console-tests"

    let console: Console
    let store: OpenStore

    init(basePath: String = "/console", secureCookies: Bool = false, oidc: OIDCSettings? = nil) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("console-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try OpenStore.open(
            .sqlite(path: directory + "/switchyard.sqlite"), keys: KeyRing(secret: "console-test-encryption-secret"),
            cursors: PageCursor(secret: "console-test-cursor-secret"), logger: Logger(label: "console-tests"))
        _ = try await store.migrator.migrate()
        console = Console(
            settings: ConsoleSettings(basePath: basePath, secureCookies: secureCookies), records: store.records,
            workspace: ConsoleWorkspace { () async throws(SwitchyardError) -> String in Self.workspaceKey },
            setupCode: SetupCode(value: Self.setupCode), oidc: oidc)
    }

    /// Runs `body` with a browser on the console.
    func run(_ body: @Sendable (inout Browser) async throws -> Void) async throws {
        try await run(logger: Logger(label: "console-tests")) { client in
            var browser = Browser(client: client)
            try await body(&browser)
            for cookie in browser.setCookies {
                #expect(cookie.contains("; HttpOnly"), "every cookie the console sets is HttpOnly: \(cookie)")
            }
        }
    }

    /// Runs `body` with a test client on the console; the app logs to `logger`.
    func run(logger: Logger, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = SwitchyardRouter.make(maxRequestBodyBytes: 1 << 20, metrics: PrometheusCollectorRegistry(), quietPaths: [])
        router.get("/") { _, _ in "ok" }
        console.register(on: router)
        SwitchyardRouter.finish(router)
        try await Application(router: router, logger: logger).test(.router) { client in try await body(client) }
    }
}

/// A response as the tests read it.
struct Page: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: String

    var location: String? { headers[.location] }
    var setCookie: String? { headers[.setCookie] }
}

/// A minimal browser: keeps the session cookie it was given, posts forms, records every
/// `Set-Cookie` it saw.
struct Browser {
    let client: any TestClientProtocol
    var cookie: String?
    var setCookies: [String] = []

    init(client: any TestClientProtocol) {
        self.client = client
    }

    mutating func get(_ uri: String) async throws -> Page {
        try await send(.get, uri, form: nil)
    }

    mutating func post(_ uri: String, _ form: [(String, String)]) async throws -> Page {
        try await send(.post, uri, form: form)
    }

    mutating func send(_ method: HTTPRequest.Method, _ uri: String, form: [(String, String)]?) async throws -> Page {
        var headers = HTTPFields()
        if let cookie { headers[.cookie] = "switchyard_console=\(cookie)" }
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            let text = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
            body = ByteBuffer(string: text)
        }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: body)
        let page = Page(status: response.status, headers: response.headers, body: String(buffer: response.body))
        setCookies += response.headers[values: .setCookie]
        if let set = page.setCookie,
            let value = set.split(separator: ";").first?.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false),
            value.count == 2
        {
            cookie = value[1].isEmpty ? nil : String(value[1])
        }
        return page
    }
}
