import NIOHTTP1
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// What actions run through a connection beyond operations: a data collection's methods, custom
/// JavaScript with the connection's `externalApiClient`, and requests to the SaaS's own API.
extension ConnectionRuntime {
    /// Runs a method of one of the connector's data collections as the connection.
    /// - Throws: `not_found` for a collection or method the connector does not have.
    package func runDataMethod(
        connectionID: String, collection key: String, method: ConnectorDataMethod, input: JSONValue, scope: StoreScope
    ) async throws(SwitchyardError) -> JSONValue {
        let loaded = try await load(connectionID, scope: scope)
        guard let collection = loaded.package.dataCollections.first(where: { $0.key == key }) else {
            let known = loaded.package.dataCollections.map(\.key).sorted()
            throw SwitchyardError(.notFound, "the connector has no data collection \(key)" + (known.isEmpty ? "" : "; it has \(known.joined(separator: ", "))"))
        }
        guard let function = collection.methods[method] else {
            throw SwitchyardError(
                .notFound, "data collection \(key) has no \(method.rawValue) method; it has \(collection.methods.keys.sorted().map(\.rawValue).joined(separator: ", "))"
            )
        }
        var variables = loaded.variables.objectValue ?? [:]
        variables["input"] = input
        return try await functions.run(
            function, name: "\(key).\(method.rawValue)",
            context: .init(workspaceID: loaded.scope.workspaceID, tenantID: loaded.connection.tenantID, variables: .object(variables), transport: transport(loaded.connection.id, scope: loaded.scope))
        )
    }

    /// Runs custom JavaScript with `{input}` and, when a connection is given, an
    /// `externalApiClient` that sends as it (the code never sees the credentials).
    package func runJavaScript(_ code: String, name: String, input: JSONValue, connectionID: String?, scope: StoreScope) async throws(SwitchyardError) -> JSONValue {
        var workspace = scope.workspaceID
        var tenant = scope.tenantID
        var via: ExternalTransport?
        if let connectionID {
            let connection = try await records.get(.connections, id: connectionID, scope: scope)
            guard connection.archivedAt == nil else { throw SwitchyardError(.notFound, "connection \(connectionID) is archived") }
            workspace = connection.workspaceID
            tenant = connection.tenantID
            via = transport(connection.id, scope: StoreScope.tenant(connection.tenantID ?? "", in: scope.workspaceID))
        }
        return try await functions.run(
            ConnectorFunction(.javascript(code: code), file: name), name: "run", context: .init(workspaceID: workspace, tenantID: tenant, variables: ["input": input], transport: via)
        )
    }

    /// Every credential value of a connection, for redaction.
    package func secretValues(of connection: Record) async throws(SwitchyardError) -> [String] {
        Self.secretValues((try? await vault.read(connection)) ?? .null)
    }

    /// Sends a request to the SaaS's own API with the caller's `X-Switchyard-Token`.
    package func sendToApp(_ call: ExternalCall, scope: StoreScope) async throws(SwitchyardError) -> OutboundResponse {
        let token = try await issuer.token(workspaceID: scope.workspaceID, tenantID: scope.tenantID)
        var headers = call.headers
        headers.replaceOrAdd(name: "X-Switchyard-Token", value: token)
        var url = call.target
        if let query = call.query, !query.isEmpty { url += (url.contains("?") ? "&" : "?") + query }
        return try await http.send(
            OutboundRequest(method: call.method, url: url, headers: headers, body: call.body, secrets: [token], tags: ["workspace": scope.workspaceID, "tenant": scope.tenantID ?? ""])
        )
    }
}
