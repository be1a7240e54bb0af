import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import SwitchyardAPI
import SwitchyardBlobs
import SwitchyardConsole
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore
import Testing

@testable import SwitchyardServer

/// The console on the production router chain (`SwitchyardRouter.make`, the console's routes,
/// `SwitchyardRouter.finish`) over a fresh, migrated SQLite store, with a known setup code. It
/// calls the API in process, as in an all-in-one process, as the install's default workspace.
struct ConsoleHarness: Sendable {
    static let setupCode = "ABCD-EFGH-JKLM"
    static let logger = Logger(label: "console-tests")

    let console: Console
    let store: OpenStore
    /// The API the console calls.
    let api: APIPipeline
    /// The default workspace's key.
    let workspaceKey: String
    /// The connection services' outbound client, with `connections: true` (shut down after ``run(_:)``).
    private(set) var http: OutboundHTTPClient? = nil
    /// With `connections: true`: the connection services the API uses, and their external API
    /// log (flush it before reading it).
    private(set) var services: ConnectionServices? = nil
    private(set) var logSink: StoredExternalAPILogSink? = nil

    /// - Parameters:
    ///   - engine: Another engine than the in-process API (a separate api process).
    ///   - oidc: OpenID Connect sign-in settings.
    ///   - connections: Whether the API has connection services (action and flow runs, flow
    ///     instances, connection tests), wired as the API tests' harness does: an outbound
    ///     client allowed to reach loopback (the Python test servers) and a stored external API log.
    init(
        basePath: String = "/console", secureCookies: Bool = false, engine: (any ConsoleEngine)? = nil, oidc: OIDCSettings? = nil,
        connections: Bool = false
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("console-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try OpenStore.open(
            .sqlite(path: directory + "/switchyard.sqlite"), keys: KeyRing(secret: "console-test-encryption-secret"),
            cursors: PageCursor(secret: "console-test-cursor-secret"), logger: Logger(label: "console-tests"))
        _ = try await store.migrator.migrate()
        let workspaces = WorkspaceDirectory(records: store.records, cacheTime: .zero)
        let tenants = TenantDirectory(records: store.records, cacheTime: .zero)
        let authenticator = TokenAuthenticator(directory: workspaces, tenants: tenants, maxLifetime: .seconds(3600)) { _ in false }
        let blobs = try FileBlobStore(root: directory + "/blobs")
        var services: ConnectionServices?
        let sink = StoredExternalAPILogSink(records: store.records, logger: Self.logger)
        // Tests talk to servers on loopback, which the SSRF guard refuses unless allowed.
        var outbound = OutboundHTTPSettings()
        outbound.addressPolicy = try AddressPolicy(allowedNetworksText: "127.0.0.0/8")
        http = connections ? OutboundHTTPClient(settings: outbound, logSink: sink, logger: Self.logger) : nil
        if let http {
            let settings = ConnectionServices.Settings(
                stateSecret: "console-test-secret-for-oauth-state-0", baseURI: "http://127.0.0.1:5999", callbackBase: "http://127.0.0.1:5999",
                holder: "console-tests")
            services = ConnectionServices(
                records: store.records, jobs: store.jobs, blobs: blobs, http: http, code: nil, settings: settings, logger: Self.logger)
            logSink = sink
        }
        self.services = services
        api = APIPipeline(
            dependencies: APIDependencies(
                records: store.records, jobs: store.jobs, workspaces: workspaces, tenants: tenants, blobs: blobs, connections: services),
            authenticator: authenticator, limiter: nil, requestTimeLimit: .seconds(30), maxResponseBytes: 30 << 20)
        workspaceKey = try await workspaces.defaultWorkspace().0.key
        let workspace = ConsoleAssembly.workspace(store.records)
        console = Console(
            settings: ConsoleSettings(basePath: basePath, secureCookies: secureCookies), records: store.records, workspace: workspace,
            engine: engine ?? InProcessConsoleEngine(api: api, workspace: workspace, logger: Logger(label: "console-tests")),
            templates: try ConsoleTemplates(), setupCode: SetupCode(value: Self.setupCode), oidc: oidc)
    }

    /// Shuts the outbound client down (harnesses made with `connections: true`).
    func shutdown() async {
        try? await http?.shutdown()
    }

    /// Calls the API in process as the workspace's admin (to set up what a page shows).
    @discardableResult
    func call(_ method: HTTPRequest.Method, _ path: String, _ body: JSONValue? = nil, query: [String: String] = [:]) async throws -> JSONValue {
        let caller = Caller(workspaceID: workspaceKey, tenantID: nil, tenantKey: nil, isAdmin: true)
        let (_, result) = try await api.call(InProcessCall(method: method, path: path, query: query, body: body), caller: caller)
        guard case .json(let value) = result else { return .null }
        return value
    }

    /// Creates an account with a role and signs the browser in as it.
    /// - Returns: The session's CSRF token, read from the overview's sign-out form.
    @discardableResult
    func signIn(_ browser: inout Browser, role: String = "admin", email: String = "ada@example.com") async throws -> String {
        _ = try await console.accounts.add(email: email, name: "Test \(role)", role: role, password: "correct horse battery")
        let answer = try await browser.post("/console/login", [("email", email), ("password", "correct horse battery")])
        #expect(answer.status == .seeOther, "sign-in as \(email)")
        let overview = try await browser.get("/console/")
        let marker = "name=\"csrf\" value=\""
        let csrf = try #require(overview.body.components(separatedBy: marker).dropFirst().first?.prefix { $0 != "\"" })
        return String(csrf)
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
        do {
            try await Application(router: router, logger: logger).test(.router) { client in try await body(client) }
        } catch {
            try? await http?.shutdown()
            throw error
        }
        try? await http?.shutdown()
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

/// A minimal browser: keeps the cookies it was given (the session's and the one-time notice's),
/// posts forms, records every `Set-Cookie` it saw.
struct Browser {
    let client: any TestClientProtocol
    /// The session cookie's value.
    var cookie: String?
    /// Other cookies by name (the one-time notice).
    var others: [String: String] = [:]
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
        var body: [UInt8]?
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            let text = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
            body = Array(text.utf8)
        }
        let answer = try await raw(method, uri, headers: headers, body: body)
        return Page(status: answer.status, headers: answer.headers, body: String(decoding: answer.bytes, as: UTF8.self))
    }
}
