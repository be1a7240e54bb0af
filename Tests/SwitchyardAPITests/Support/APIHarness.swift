import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import NIOCore
import Prometheus
import SwitchyardAPI
import SwitchyardConnectors
import SwitchyardBlobs
import SwitchyardCodeRunner
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// The API over a fresh embedded store, served in process.
struct APIHarness {
    let store: OpenStore
    let workspace: Workspace
    /// The API exactly as production builds it (``APIPipeline``).
    let pipeline: APIPipeline
    /// The REST operations.
    var routes: APIRoutes { pipeline.routes }
    let workspaces: WorkspaceDirectory
    let authenticator: TokenAuthenticator
    let directory: String
    /// The outbound HTTP client of the connection services, when the harness has one.
    let http: OutboundHTTPClient?
    /// Where the connection services' external API log goes (flush it to read it through the API).
    let logSink: StoredExternalAPILogSink?
    /// The connection services, when the harness has them.
    let connections: ConnectionServices?
    /// On PostgreSQL: the test database's name and the task running the store's pool.
    let postgres: (database: String, pool: Task<Void, Never>)?
    static let logger = Logger(label: "api-test")
    static let platformToken = "platform-admin-token-for-tests"

    static func make(
        maxLifetime: Duration = .seconds(86_400), rates: RequestRateLimiter.Rates? = nil,
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }, requestTimeLimit: Duration = .seconds(60),
        records wrap: (any RecordStore) -> any RecordStore = { $0 }, connections: Bool = false, sharing other: APIHarness? = nil,
        code: (any CodeExecutor)? = nil, credentialStorage: CredentialVault.Mode = .database, onPostgres: Bool = false,
        configurationTimeToLive: Duration = .seconds(2)
    ) async throws -> APIHarness {
        // A second harness over the same files stands for a second API process.
        let directory = other?.directory ?? NSTemporaryDirectory() + "switchyard-api-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var location = DatabaseLocation.sqlite(path: directory + "/api.sqlite")
        var database: String?
        if onPostgres, other == nil {
            let (name, url) = try createPostgresDatabase()
            database = name
            location = .postgres(try PostgresURL.parse(url))
        }
        let store =
            try other?.store
            ?? OpenStore.open(
                location, keys: KeyRing(secret: "api-test-encryption-secret"), cursors: PageCursor(secret: "api-test-cursor-secret-00"),
                logger: logger
            )
        let pool = database.map { _ in Task { await store.run() } }
        _ = try await store.migrator.migrate()
        let blobs = try FileBlobStore(root: directory + "/blobs")
        var http: OutboundHTTPClient?
        var services: ConnectionServices?
        var sink: StoredExternalAPILogSink?
        if connections {
            // Tests talk to servers on loopback, which the SSRF guard refuses unless allowed.
            var settings = OutboundHTTPSettings()
            settings.addressPolicy = try AddressPolicy(allowedNetworksText: "127.0.0.0/8")
            let stored = StoredExternalAPILogSink(records: store.records, logger: logger)
            sink = stored
            let client = OutboundHTTPClient(settings: settings, logSink: stored, logger: logger)
            http = client
            var servicesSettings = ConnectionServices.Settings(
                stateSecret: "api-test-secret-for-oauth-state-000", baseURI: "http://127.0.0.1:5999", callbackBase: "http://127.0.0.1:5999",
                holder: "harness-\(UUID().uuidString.prefix(8))", credentialStorage: credentialStorage
            )
            servicesSettings.configurationTimeToLive = configurationTimeToLive
            services = ConnectionServices(
                records: store.records, jobs: store.jobs, blobs: blobs, http: client, code: code, settings: servicesSettings, logger: logger)
        }
        let workspaces = WorkspaceDirectory(records: store.records, cacheTime: .zero)
        let tenants = TenantDirectory(records: store.records, cacheTime: rates == nil ? .zero : .seconds(30))
        let authenticator = TokenAuthenticator(directory: workspaces, tenants: tenants, maxLifetime: maxLifetime) { token in token == platformToken }
        let pipeline = APIPipeline(
            dependencies: APIDependencies(
                records: wrap(store.records), jobs: store.jobs, workspaces: workspaces, tenants: tenants, blobs: blobs, connections: services
            ), authenticator: authenticator, limiter: rates.map { RequestRateLimiter(rates: $0, clock: clock) }, requestTimeLimit: requestTimeLimit,
            maxResponseBytes: 30 << 20
        )
        let (workspace, _) = try await workspaces.defaultWorkspace()
        return APIHarness(
            store: store, workspace: workspace, pipeline: pipeline, workspaces: workspaces, authenticator: authenticator, directory: directory,
            http: http, logSink: sink, connections: services,
            postgres: database.flatMap { name in pool.map { (name, $0) } }
        )
    }

    /// Ends a test: shuts down this harness's outbound client and the browser's, stops the
    /// servers, and removes this harness (and `sharing`, the harness whose store it shares).
    func tearDown(browser: OAuthConnectionTests.Browser? = nil, servers: [PythonTestServer?] = [], sharing: APIHarness? = nil) async {
        try? await http?.shutdown()
        try? await browser?.client.shutdown()
        for server in servers { await server?.stop() }
        remove()
        sharing?.remove()
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
        if let postgres {
            postgres.pool.cancel()
            _ = try? Self.psql("DROP DATABASE IF EXISTS \(postgres.database) WITH (FORCE)")
        }
    }

    /// Whether PostgreSQL tests can run (`SWITCHYARD_TEST_POSTGRES_URL`, set by scripts/test).
    static var postgresAvailable: Bool {
        ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_URL"] != nil || PythonTestServer.requireAll
    }

    /// A database of its own on the test server.
    private static func createPostgresDatabase() throws -> (name: String, url: String) {
        guard let admin = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_URL"], let components = URLComponents(string: admin) else {
            throw TestServerError("SWITCHYARD_TEST_POSTGRES_URL is not set; run scripts/test")
        }
        let name = "api_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        guard try psql("CREATE DATABASE \(name)") == 0 else { throw TestServerError("psql could not create database \(name)") }
        return (name, "postgres://\(components.user ?? "postgres")@\(components.host ?? "127.0.0.1"):\(components.port ?? 5432)/\(name)")
    }

    private static func psql(_ sql: String) throws -> Int32 {
        let admin = URLComponents(string: ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_URL"] ?? "")
        return try ProcessLaunch.runToCompletion(
            "/usr/bin/psql",
            [
                "-h", admin?.host ?? "127.0.0.1", "-p", String(admin?.port ?? 5432), "-U", admin?.user ?? "postgres", "-d", "postgres", "-v",
                "ON_ERROR_STOP=1", "-q", "-c", sql,
            ]
        )
    }

    /// Runs `body` with a client of the API.
    func withClient<T: Sendable>(_ body: @Sendable (APIClient) async throws -> T) async throws -> T {
        // The production chain: the server's shared middleware, then the API's pipeline.
        let router = SwitchyardRouter.make(maxRequestBodyBytes: 10 << 20, metrics: PrometheusCollectorRegistry(), quietPaths: [])
        pipeline.register(on: router, document: OpenAPIDocument.build(routes: routes.all, operational: pipeline.endpoints, version: "test"))
        SwitchyardRouter.finish(router)
        let app = Application(router: router)
        return try await app.test(.router) { client in try await body(APIClient(client: client)) }
    }

    /// A tenant token signed with the workspace secret.
    func tenantToken(
        _ tenant: String, name: String? = nil, algorithm: String = "HS256", claims extra: [String: JSONValue] = [:]
    ) async throws -> String {
        var claims: [String: JSONValue] = ["iss": .string(workspace.key), "id": .string(tenant), "exp": .number(Date().timeIntervalSince1970 + 3600)]
        if let name { claims["name"] = .string(name) }
        for (key, value) in extra { claims[key] = value }
        return try await Self.sign(claims, secret: workspace.secret, algorithm: algorithm)
    }

    /// A workspace admin token signed with the workspace secret.
    func adminToken() async throws -> String {
        try await Self.sign(
            ["iss": .string(workspace.key), "isAdmin": true, "exp": .number(Date().timeIntervalSince1970 + 3600)], secret: workspace.secret)
    }

    /// Signs arbitrary claims with an HMAC secret.
    static func sign(_ claims: [String: JSONValue], secret: String, algorithm: String = "HS256") async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: algorithm == "HS512" ? .sha512 : .sha256)
        return try await keys.sign(RawClaims(claims: claims))
    }
}

/// Any JSON object as JWT claims.
struct RawClaims: JWTPayload {
    var claims: [String: JSONValue]
    init(claims: [String: JSONValue]) { self.claims = claims }
    init(from decoder: any Decoder) throws { claims = try [String: JSONValue](from: decoder) }
    func encode(to encoder: any Encoder) throws { try claims.encode(to: encoder) }
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Sends requests and decodes JSON answers.
struct APIClient: Sendable {
    let client: any TestClientProtocol

    struct Answer {
        var status: Int
        var json: JSONValue
        var headers: HTTPFields
    }

    func send(_ method: HTTPRequest.Method, _ path: String, token: String?, body: JSONValue? = nil) async throws -> Answer {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0.jsonText) })
        let text = String(buffer: response.body)
        return Answer(status: Int(response.status.code), json: (try? JSONValue.parse(text)) ?? .string(text), headers: response.headers)
    }

    /// Sends a body of any media type; the answer keeps the raw response bytes too.
    func sendBytes(
        _ method: HTTPRequest.Method, _ path: String, token: String?, body: [UInt8]?, contentType: String?
    ) async throws -> (Answer, [UInt8]) {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let contentType { headers[.contentType] = contentType }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
        let bytes = Array(response.body.readableBytesView)
        let json = (try? JSONValue.parse(String(decoding: bytes, as: UTF8.self))) ?? .null
        return (Answer(status: Int(response.status.code), json: json, headers: response.headers), bytes)
    }
}

extension APIClient {
    /// Creates a connector, uploads its package and makes an integration of the same key and
    /// name, as an admin; records an issue when the upload is refused.
    func install(_ key: String, name: String, package: [String: Data], admin: String) async throws {
        _ = try await send(.post, "/connectors", token: admin, body: ["key": .string(key), "name": .string(name)])
        let (uploaded, _) = try await sendBytes(
            .post, "/connectors/\(key)/upload", token: admin, body: Array(ConnectorArchive.pack(package)), contentType: "application/zip")
        #expect(uploaded.status == 200, "\(uploaded.json)")
        _ = try await send(.post, "/integrations", token: admin, body: ["key": .string(key), "name": .string(name), "connectorId": .string(key)])
    }
}
