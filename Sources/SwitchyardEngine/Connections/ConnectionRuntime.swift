import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardBlobs
import SwitchyardCodeRunner
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// Connections at work: the connect flows (OAuth 2.0, OAuth 1.0a, input forms, headless
/// connection requests), credentials kept in the ``CredentialVault``, refresh that never races
/// (``CredentialRefresher``), connector functions (``ConnectorFunctionRunner``), and requests
/// to the external API with the connection's auth (the API proxy, operations), refreshing once
/// when the provider says the token expired.
package final class ConnectionRuntime: Sendable {
    package let loader: ConnectorLoader
    package let refresher: CredentialRefresher
    package let http: OutboundHTTPClient
    package let vault: CredentialVault
    package let functions: ConnectorFunctionRunner
    let issuer: SwitchyardTokenIssuer
    let records: any RecordStore
    let jobs: any JobStore
    let state: SignedState
    let callbackURL: String
    /// `BASE_URI`: where `/connect` links of connection requests point.
    let baseURL: String
    let logger: Logger
    /// Integrations and their connector packages, kept for a moment, so a proxied request reads
    /// only its connection from the database (``forgetConfiguration()`` after a change).
    let configuration: ExpiringCache<Configuration>
    /// Webhook notifications to the SaaS.
    package let webhooks: WebhookNotifier
    /// Starts flow runs (with the queued queue's limits).
    package let flowLauncher: FlowLauncher
    /// Flow instances of connections.
    package let flowInstances: FlowInstances

    /// What a runtime is built from.
    package struct Settings: Sendable {
        /// `SECRET`, from which the OAuth state key is derived.
        package var stateSecret: String
        /// `BASE_URI`.
        package var baseURI: String
        /// `BASE_OAUTH_CALLBACK_URI`; providers redirect to `<base>/oauth-callback`.
        package var callbackBase: String
        /// This process's name in refresh lease rows.
        package var holder: String
        /// `CONNECTION_CREDENTIALS_STORAGE_TYPE` (and its endpoint).
        package var credentialStorage: CredentialVault.Mode = .database
        /// How long a process keeps an integration and its connector package before reading
        /// them again (another process's changes show within this; zero reads every time).
        package var configurationTimeToLive: Duration = .seconds(2)
        /// How webhook deliveries are retried.
        package var webhookRetry = WebhookNotifier.Retry()
        /// The queued queue's limits (`ENABLE_LIMITS`), which bound each connection's flow runs.
        package var jobLimits: JobLimitSettings?

        /// Creates settings.
        package init(
            stateSecret: String, baseURI: String, callbackBase: String, holder: String, credentialStorage: CredentialVault.Mode = .database,
            webhookRetry: WebhookNotifier.Retry = .init(), jobLimits: JobLimitSettings? = nil
        ) {
            self.jobLimits = jobLimits
            self.stateSecret = stateSecret
            self.baseURI = baseURI
            self.callbackBase = callbackBase
            self.holder = holder
            self.credentialStorage = credentialStorage
            self.webhookRetry = webhookRetry
        }
    }

    /// Creates the runtime.
    /// - Parameter code: The custom code runner, for JavaScript connector functions.
    package init(
        records: any RecordStore, jobs: any JobStore, blobs: any BlobStore, http: OutboundHTTPClient, code: (any CodeExecutor)?, settings: Settings, logger: Logger
    ) {
        self.records = records
        self.jobs = jobs
        self.http = http
        loader = ConnectorLoader(records: records, blobs: blobs)
        state = SignedState(secret: settings.stateSecret)
        callbackURL = Self.trimmed(settings.callbackBase) + "/oauth-callback"
        baseURL = Self.trimmed(settings.baseURI)
        self.logger = logger
        configuration = ExpiringCache(timeToLive: settings.configurationTimeToLive)
        let issuer = SwitchyardTokenIssuer(records: records)
        self.issuer = issuer
        let vault = CredentialVault(mode: settings.credentialStorage, http: http, issuer: issuer)
        self.vault = vault
        let functions = ConnectorFunctionRunner(code: code)
        self.functions = functions
        let environment = Environment(records: records, loader: loader, http: http, vault: vault, functions: functions, issuer: issuer)
        let webhooks = WebhookNotifier(records: records, http: http, retry: settings.webhookRetry, settingsTimeToLive: settings.configurationTimeToLive, logger: logger)
        self.webhooks = webhooks
        flowLauncher = FlowLauncher(records: records, jobs: jobs, webhooks: webhooks, limits: settings.jobLimits, logger: logger)
        flowInstances = FlowInstances(records: records, jobs: jobs, logger: logger)
        refresher = CredentialRefresher(
            records: records, jobs: jobs, vault: vault, holder: settings.holder, logger: logger,
            disconnected: { connection in await webhooks.notify("connection.disconnected", workspaceID: connection.workspaceID, tenantID: connection.tenantID, data: Self.event(connection)) }
        ) { connection in
            await Self.refresh(connection, environment)
        }
    }

    /// What the static refresh path needs (it runs inside the refresher, built before `self`).
    struct Environment: Sendable {
        var records: any RecordStore
        var loader: ConnectorLoader
        var http: OutboundHTTPClient
        var vault: CredentialVault
        var functions: ConnectorFunctionRunner
        var issuer: SwitchyardTokenIssuer
    }

    private static func trimmed(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }

    // MARK: A connection and what its requests need

    /// A connection with its integration, connector auth option and credentials, loaded once
    /// for a request.
    struct Loaded: Sendable {
        var connection: Record
        /// The connection's tenant's scope (admins act on any tenant's connection in it).
        var scope: StoreScope
        var integration: Record
        var package: ConnectorPackage
        var option: ConnectorAuthOption
        var credentials: JSONValue

        /// `credentials`, `connectorParameters`, `parameters`.
        var variables: JSONValue {
            ["credentials": credentials, "connectorParameters": integration.secret ?? [:], "parameters": connection.secret?["parameters"] ?? [:]]
        }

        /// Whether the credentials can be refreshed: OAuth 2.0 with a refresh token, or a
        /// connector `refreshCredentials` function.
        var refreshable: Bool {
            option.functions[.refreshCredentials] != nil || OAuth2Credentials(credentials)?.refreshToken != nil
        }
    }

    /// Loads a live connection the scope may see.
    func load(_ connectionID: String, scope: StoreScope) async throws(SwitchyardError) -> Loaded {
        let connection = try await records.get(.connections, id: connectionID, scope: scope)
        guard connection.archivedAt == nil else { throw SwitchyardError(.notFound, "connection \(connectionID) is archived") }
        return try await load(connection, workspace: scope.workspaceID)
    }

    /// An integration with its connector package, as ``configuration`` keeps them.
    struct Configuration: Sendable {
        var integration: Record
        var package: ConnectorPackage
    }

    func load(_ connection: Record, workspace: String) async throws(SwitchyardError) -> Loaded {
        let scope = StoreScope.tenant(connection.tenantID ?? "", in: workspace)
        let key = workspace + "/" + (connection.parentID ?? "")
        let integration: Record
        let package: ConnectorPackage
        if let cached = configuration.entry(key) {
            (integration, package) = (cached.integration, cached.package)
        } else {
            integration = try await records.get(.integrations, id: connection.parentID ?? "", scope: scope)
            package = try await loader.package(for: integration, scope: scope).package
            configuration.store(.init(integration: integration, package: package), for: key)
        }
        let (_, option) = try Self.option(package.auth, key: connection.document["authOptionKey"]?.stringValue)
        return Loaded(
            connection: connection, scope: scope, integration: integration, package: package, option: option, credentials: try await vault.read(connection)
        )
    }

    /// Forgets the integrations and connector packages this process keeps (after a change to one).
    package func forgetConfiguration() {
        configuration.removeAll()
    }

    /// The API client of a connection.
    func client(_ loaded: Loaded) async throws(SwitchyardError) -> APIClientConfig {
        try await client(option: loaded.option, variables: loaded.variables, workspaceID: loaded.scope.workspaceID, tenantID: loaded.connection.tenantID)
    }

    func client(option: ConnectorAuthOption, variables: JSONValue, workspaceID: String, tenantID: String?) async throws(SwitchyardError) -> APIClientConfig {
        try await Self.client(option: option, variables: variables, workspaceID: workspaceID, tenantID: tenantID, functions: functions, issuer: issuer)
    }

    /// The API client for an auth option (with a fresh `X-Switchyard-Token` for `switchyard-token`
    /// auth); static for the refresh path, which runs before `self` exists.
    static func client(
        option: ConnectorAuthOption, variables: JSONValue, workspaceID: String, tenantID: String?, functions: ConnectorFunctionRunner, issuer: SwitchyardTokenIssuer
    ) async throws(SwitchyardError) -> APIClientConfig {
        let token = option.type == .switchyardToken ? try await issuer.token(workspaceID: workspaceID, tenantID: tenantID) : nil
        return try await APIClientConfig.make(
            .init(option: option, variables: variables, functions: functions, workspaceID: workspaceID, tenantID: tenantID, switchyardToken: token)
        )
    }

    /// A transport that sends with a client computed up front (while connecting, before the
    /// connection is stored: no refresh is possible yet).
    func directTransport(_ client: APIClientConfig, secrets: [String], tags: [String: String]) -> ExternalTransport {
        let http = http
        return { call throws(SwitchyardError) in try await http.send(try client.request(for: call, secrets: secrets, tags: tags)) }
    }

    /// A transport that sends as a stored connection (auth, refresh on 401, its log tags).
    func transport(_ connectionID: String, scope: StoreScope) -> ExternalTransport {
        { [self] call throws(SwitchyardError) in try await send(connectionID: connectionID, scope: scope, call: call) }
    }

    // MARK: Requests with the connection's auth

    /// Sends a request to the external API as the connection: base URI and auth from
    /// `makeApiClient` and the auth type, credentials refreshed first when they are about to
    /// expire and once more when the provider answers 401.
    /// - Parameter target: A path relative to the connector's base URI, or a full URL.
    package func send(
        connectionID: String, scope: StoreScope, method: HTTPMethod, target: String, query: String?, headers: HTTPHeaders, body: [UInt8]?
    ) async throws(SwitchyardError) -> OutboundResponse {
        try await send(connectionID: connectionID, scope: scope, call: ExternalCall(method: method, target: target, query: query, headers: headers, body: body))
    }

    /// Sends one call as the connection (see the other `send`).
    package func send(connectionID: String, scope: StoreScope, call: ExternalCall) async throws(SwitchyardError) -> OutboundResponse {
        var loaded = try await ready(connectionID, scope: scope)
        var response = try await attempt(loaded, call)
        if loaded.refreshable, expired(status: response.status, headers: response.headers, body: response.body, option: loaded.option) {
            loaded = try await refreshed(loaded)
            response = try await attempt(loaded, call)
        }
        return response
    }

    /// A connection ready to send: connected, with credentials refreshed first when they are
    /// about to expire.
    private func ready(_ connectionID: String, scope: StoreScope) async throws(SwitchyardError) -> Loaded {
        let loaded = try await load(connectionID, scope: scope)
        if loaded.connection.document["state"]?.stringValue == "disconnected" { throw CredentialRefresher.disconnected(loaded.connection) }
        if let credentials = OAuth2Credentials(loaded.credentials), credentials.refreshToken != nil, credentials.expiresSoon(now: Date().timeIntervalSince1970) {
            return try await refreshed(loaded)
        }
        return loaded
    }

    /// Whether an answer says the credentials expired: the connector's `credentialsExpiredWhen`
    /// over `{response: {statusCode, headers, data}}` for a non-2xx answer, else a 401. A formula
    /// that fails counts as "no" (and is logged), so a connector bug never loops refreshes.
    func expired(status: HTTPResponseStatus, headers: HTTPHeaders, body: [UInt8], option: ConnectorAuthOption) -> Bool {
        guard let formula = option.credentialsExpiredWhen else { return status == .unauthorized }
        guard !(200..<300).contains(Int(status.code)) else { return false }
        var headerValues: [String: JSONValue] = [:]
        for (name, value) in headers { headerValues[name.lowercased()] = .string(value) }
        let text = String(decoding: body, as: UTF8.self)
        let data = body.isEmpty ? JSONValue.null : ((try? JSONValue.parse(text)) ?? .string(text))
        do {
            return try Formula.evaluate(formula, variables: ["response": ["statusCode": .number(Double(status.code)), "headers": .object(headerValues), "data": data]]) == true
        } catch {
            logger.warning("the connector's credentialsExpiredWhen failed", metadata: ["error": "\(error.message)", "path": "\(error.path)"])
            return false
        }
    }

    /// Sends one call as the connection like ``send(connectionID:scope:call:)``, but hands the
    /// final response to `consume` as it arrives (the API proxy streams it on). A 401 from a
    /// connection that can refresh is not handed on: its body is dropped, the credentials are
    /// refreshed once, and the call is sent again.
    package func stream<T: Sendable>(
        connectionID: String, scope: StoreScope, call: ExternalCall,
        _ consume: @escaping @Sendable (OutboundResponseHead, StreamedBody) async throws -> T
    ) async throws(SwitchyardError) -> T {
        var loaded = try await ready(connectionID, scope: scope)
        let refreshable = loaded.refreshable
        let option = loaded.option
        let first: T? = try await http.stream(try await outbound(loaded, call)) {
            head, body in
            guard refreshable else { return try await consume(head, .streaming(body)) }
            if option.credentialsExpiredWhen == nil {
                return head.status == .unauthorized ? nil : try await consume(head, .streaming(body))
            }
            // The connector decides from the body: read an error answer (they are small) first.
            guard !(200..<300).contains(Int(head.status.code)) else { return try await consume(head, .streaming(body)) }
            var bytes: [UInt8] = []
            for try await chunk in body { bytes += chunk.readableBytesView }
            return self.expired(status: head.status, headers: head.headers, body: bytes, option: option) ? nil : try await consume(head, .read(bytes))
        }
        if let first { return first }
        loaded = try await refreshed(loaded)
        return try await http.stream(try await outbound(loaded, call)) {
            head, body in try await consume(head, .streaming(body))
        }
    }

    /// The body a streamed call hands on: as it arrives, or already read (an error answer the
    /// connector's `credentialsExpiredWhen` had to look at).
    package enum StreamedBody: Sendable {
        case streaming(OutboundResponseBody)
        case read([UInt8])
    }

    private func refreshed(_ loaded: Loaded) async throws(SwitchyardError) -> Loaded {
        let connection = try await refresher.refreshed(loaded.connection.id, scope: loaded.scope, observedRevision: CredentialRefresher.revision(loaded.connection))
        var copy = loaded
        copy.connection = connection
        copy.credentials = try await vault.read(connection)
        return copy
    }

    private func attempt(_ loaded: Loaded, _ call: ExternalCall) async throws(SwitchyardError) -> OutboundResponse {
        try await http.send(try await outbound(loaded, call))
    }

    /// The outbound request of a call as the connection: its client's URL and auth, its
    /// credentials redacted, its log tags.
    private func outbound(_ loaded: Loaded, _ call: ExternalCall) async throws(SwitchyardError) -> OutboundRequest {
        try await client(loaded).request(for: call, secrets: Self.secretValues(loaded.credentials), tags: Self.tags(loaded.connection))
    }

    // MARK: Helpers

    func integrationRecord(_ selector: String, scope: StoreScope) async throws(SwitchyardError) -> Record {
        if let record = try? await records.get(.integrations, id: selector, scope: scope), record.archivedAt == nil { return record }
        guard let record = try await records.list(.integrations, scope: scope, filter: RecordFilter(key: selector), limit: 1, cursor: nil).items.first else {
            throw SwitchyardError(.notFound, "integration \(selector) not found", data: ["integrationKey": "not found"])
        }
        return record
    }

    static func option(_ auth: ConnectorAuth, key: String?) throws(SwitchyardError) -> (String?, ConnectorAuthOption) {
        switch auth {
        case .single(let option): return (nil, option)
        case .options(let options):
            if let key, let option = options[key] { return (key, option) }
            if key == nil, options.count == 1, let only = options.first { return (only.key, only.value) }
            throw SwitchyardError(
                .badRequest, "choose an auth option with authOptionKey: one of \(options.keys.sorted().joined(separator: ", "))", data: ["authOptionKey": "is required"]
            )
        }
    }

    /// What a connection event carries about the connection (never its credentials).
    static func event(_ connection: Record) -> JSONValue {
        var object: [String: JSONValue] = ["id": .string(connection.id), "state": connection.document["state"] ?? "connected"]
        for field in ["name", "integrationId", "connectorId", "disconnectedReason"] { if let value = connection.document[field] { object[field] = value } }
        if let tenant = connection.tenantID { object["tenantId"] = .string(tenant) }
        return ["connection": .object(object)]
    }

    /// How a connection's requests are tagged in the external API log.
    static func tags(_ connection: Record) -> [String: String] {
        ["workspace": connection.workspaceID, "tenant": connection.tenantID ?? "", "connection": connection.id]
    }

    /// Every string in a credentials object, for redaction.
    static func secretValues(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let text): text.count >= 4 ? [text] : []
        case .object(let members): members.values.flatMap(secretValues)
        case .array(let items): items.flatMap(secretValues)
        default: []
        }
    }

    /// `url` with query parameters added, percent-encoded.
    package static func appending(_ url: String, _ parameters: [(String, String)]) -> String {
        url + (url.contains("?") ? "&" : "?") + PercentEncoding.query(parameters)
    }
}
