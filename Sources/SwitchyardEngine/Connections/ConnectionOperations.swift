import NIOHTTP1
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// What runs through a connection besides plain requests: the connector's API operations, its
/// data collections' methods, custom JavaScript with the connection's `externalApiClient`, and
/// requests to the SaaS's own API.
package struct ConnectionOperations: Sendable {
    /// Connections with their integration, package and credentials.
    let resolver: ConnectionResolver
    /// Sends the functions' requests as the connection.
    let sender: ConnectionSender

    /// Runs one of the connector's API operations as the connection
    /// (`POST /connections/{id}/operations/{key}/run`).
    /// - Throws: `not_found` for an operation the connector does not have; the function's errors.
    package func runOperation(connectionID: String, key: String, input: JSONValue, scope: StoreScope) async throws(SwitchyardError) -> JSONValue {
        let loaded = try await resolver.load(connectionID, scope: scope)
        guard let operation = loaded.package.operations.first(where: { $0.key == key }) else {
            let known = loaded.package.operations.map(\.key).sorted()
            throw SwitchyardError(
                .notFound, "the connector has no operation \(key)" + (known.isEmpty ? "" : "; it has \(known.joined(separator: ", "))"))
        }
        return try await run(operation.run, name: "operation \(key)", input: input, loaded)
    }

    /// Runs a method of one of the connector's data collections as the connection.
    /// - Throws: `not_found` for a collection or method the connector does not have.
    func runDataMethod(
        connectionID: String, collection key: String, method: ConnectorDataMethod, input: JSONValue, scope: StoreScope
    ) async throws(SwitchyardError) -> JSONValue {
        let loaded = try await resolver.load(connectionID, scope: scope)
        guard let collection = loaded.package.dataCollections.first(where: { $0.key == key }) else {
            let known = loaded.package.dataCollections.map(\.key).sorted()
            throw SwitchyardError(
                .notFound, "the connector has no data collection \(key)" + (known.isEmpty ? "" : "; it has \(known.joined(separator: ", "))"))
        }
        guard let function = collection.methods[method] else {
            throw SwitchyardError(
                .notFound,
                "data collection \(key) has no \(method.rawValue) method; it has "
                    + collection.methods.keys.sorted().map(\.rawValue).joined(separator: ", ")
            )
        }
        return try await run(function, name: "\(key).\(method.rawValue)", input: input, loaded)
    }

    /// Runs a connector function over the connection's variables and `input`, its requests
    /// sent as the connection.
    func run(
        _ function: ConnectorFunction, name: String, input: JSONValue, _ loaded: LoadedConnection
    ) async throws(SwitchyardError) -> JSONValue {
        var variables = loaded.variables.objectValue ?? [:]
        variables["input"] = input
        return try await resolver.functions.run(
            function, name: name,
            context: .init(
                workspaceID: loaded.scope.workspaceID, tenantID: loaded.connection.tenantID, variables: .object(variables),
                transport: sender.transport(loaded.connection.id, scope: loaded.scope)
            )
        )
    }

    /// Runs custom JavaScript with `{input}` and, when a connection is given, an
    /// `externalApiClient` that sends as it (the code never sees the credentials).
    func runJavaScript(
        _ code: String, name: String, input: JSONValue, connectionID: String?, scope: StoreScope
    ) async throws(SwitchyardError) -> JSONValue {
        var workspace = scope.workspaceID
        var tenant = scope.tenantID
        var via: ExternalTransport?
        if let connectionID {
            let connection = try await resolver.records.get(.connections, id: connectionID, scope: scope)
            guard connection.archivedAt == nil else { throw SwitchyardError(.notFound, "connection \(connectionID) is archived") }
            workspace = connection.workspaceID
            tenant = connection.tenantID
            via = sender.transport(connection.id, scope: StoreScope.tenant(connection.tenantID ?? "", in: scope.workspaceID))
        }
        return try await resolver.functions.run(
            ConnectorFunction(.javascript(code: code), file: name), name: "run",
            context: .init(workspaceID: workspace, tenantID: tenant, variables: ["input": input], transport: via)
        )
    }

    /// Every credential value of a connection, for redaction.
    func secretValues(of connection: Record) async -> [String] {
        ConnectionLog.secretValues((try? await resolver.vault.read(connection)) ?? .null)
    }

    /// Sends a request to the SaaS's own API with the caller's `X-Switchyard-Token`.
    func sendToApp(_ call: ExternalCall, scope: StoreScope) async throws(SwitchyardError) -> OutboundResponse {
        let token = try await resolver.issuer.token(workspaceID: scope.workspaceID, tenantID: scope.tenantID)
        var headers = call.headers
        headers.replaceOrAdd(name: "X-Switchyard-Token", value: token)
        var url = call.target
        if let query = call.query, !query.isEmpty { url += (url.contains("?") ? "&" : "?") + query }
        return try await resolver.http.send(
            OutboundRequest(
                method: call.method, url: url, headers: headers, body: call.body, secrets: [token],
                tags: ["workspace": scope.workspaceID, "tenant": scope.tenantID ?? ""])
        )
    }
}
