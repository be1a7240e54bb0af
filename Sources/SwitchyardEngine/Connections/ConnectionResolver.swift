import SwitchyardBlobs
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// What a connection's work is built on: its integration and connector package (kept for a
/// moment, so a proxied request reads only its connection from the database), its auth option,
/// its credentials (from the ``CredentialVault``) and its API client; and an integration's
/// OAuth settings and flows.
package final class ConnectionResolver: Sendable {
    /// Connections, integrations and connectors.
    let records: any RecordStore
    /// Reads the connector package an integration uses.
    let loader: ConnectorLoader
    /// Where credentials live.
    let vault: CredentialVault
    /// Runs connector functions.
    let functions: ConnectorFunctionRunner
    /// Mints `X-Switchyard-Token`s.
    let issuer: SwitchyardTokenIssuer
    /// Sends outbound requests (and logs them).
    let http: OutboundHTTPClient
    /// Integrations and their connector packages, by workspace and integration id
    /// (``forgetConfiguration()`` after a change).
    private let configuration: ExpiringCache<Configuration>

    /// An integration with its connector package, as ``configuration`` keeps them.
    private struct Configuration: Sendable {
        var integration: Record
        var package: ConnectorPackage
    }

    /// Creates a resolver.
    /// - Parameter configurationTimeToLive: How long an integration and its connector package
    ///   are kept before they are read again.
    init(
        records: any RecordStore, loader: ConnectorLoader, vault: CredentialVault, functions: ConnectorFunctionRunner, issuer: SwitchyardTokenIssuer,
        http: OutboundHTTPClient, configurationTimeToLive: Duration
    ) {
        self.records = records
        self.loader = loader
        self.vault = vault
        self.functions = functions
        self.issuer = issuer
        self.http = http
        configuration = ExpiringCache(timeToLive: configurationTimeToLive)
    }

    /// Loads a live connection the scope may see.
    func load(_ connectionID: String, scope: StoreScope) async throws(SwitchyardError) -> LoadedConnection {
        let connection = try await records.get(.connections, id: connectionID, scope: scope)
        guard connection.archivedAt == nil else { throw SwitchyardError(.notFound, "connection \(connectionID) is archived") }
        return try await load(connection, workspace: scope.workspaceID)
    }

    /// Loads what a stored connection needs, its integration and package from the kept
    /// configuration when they are there.
    func load(_ connection: Record, workspace: String) async throws(SwitchyardError) -> LoadedConnection {
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
        let (_, option) = try Self.option(package.auth, key: connection.connectionDocument.authOptionKey)
        return LoadedConnection(
            connection: connection, scope: scope, integration: integration, package: package, option: option,
            credentials: try await vault.read(connection)
        )
    }

    /// Forgets the integrations and connector packages this process keeps (after a change to one).
    package func forgetConfiguration() {
        configuration.removeAll()
    }

    /// The API client of a connection.
    func client(_ loaded: LoadedConnection) async throws(SwitchyardError) -> APIClientConfig {
        try await client(
            option: loaded.option, variables: loaded.variables, workspaceID: loaded.scope.workspaceID, tenantID: loaded.connection.tenantID)
    }

    /// The API client for an auth option (with a fresh `X-Switchyard-Token` for `switchyard-token` auth).
    func client(
        option: ConnectorAuthOption, variables: JSONValue, workspaceID: String, tenantID: String?
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

    /// A live integration by id or key.
    func integrationRecord(_ selector: String, scope: StoreScope) async throws(SwitchyardError) -> Record {
        if let record = try? await records.get(.integrations, id: selector, scope: scope), record.archivedAt == nil { return record }
        guard let record = try await records.list(.integrations, scope: scope, filter: RecordFilter(key: selector), limit: 1, cursor: nil).items.first
        else {
            throw SwitchyardError(.notFound, "integration \(selector) not found", data: ["integrationKey": "not found"])
        }
        return record
    }

    /// The auth option `key` names (the only one when the connector has one).
    /// - Throws: `bad_request` naming the options when `key` names none of several.
    static func option(_ auth: ConnectorAuth, key: String?) throws(SwitchyardError) -> (String?, ConnectorAuthOption) {
        switch auth {
        case .single(let option): return (nil, option)
        case .options(let options):
            if let key, let option = options[key] { return (key, option) }
            if key == nil, options.count == 1, let only = options.first { return (only.key, only.value) }
            throw SwitchyardError(
                .badRequest, "choose an auth option with authOptionKey: one of \(options.keys.sorted().joined(separator: ", "))",
                data: ["authOptionKey": "is required"]
            )
        }
    }
}
