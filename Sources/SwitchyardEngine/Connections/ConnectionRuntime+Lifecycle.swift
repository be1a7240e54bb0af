import Foundation
import Logging
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// A connection's life after connecting: its test, its operations, disconnecting (with the
/// connector's revoke), and the refresh of its credentials (on demand and ahead of expiry).
extension ConnectionRuntime {
    // MARK: Input-based credentials and tests

    /// The credentials of an input-based connection: `getCredentialsFromConnectionParameters`
    /// over `{input, connectorParameters}` when the connector has it, else the input itself;
    /// required input fields must be there.
    func credentials(from input: [String: JSONValue], option: ConnectorAuthOption, integration: Record, scope: StoreScope) async throws(SwitchyardError) -> JSONValue {
        var missing: [String: String] = [:]
        for field in Self.fields(option.inputSchema) where field.required {
            if input[field.name].map({ $0 == .null || $0 == "" }) ?? true { missing[field.name] = "is required" }
        }
        guard missing.isEmpty else {
            throw SwitchyardError(.badRequest, "missing connection input: \(missing.keys.sorted().joined(separator: ", "))", data: missing)
        }
        guard let function = option.functions[.getCredentialsFromConnectionParameters] else { return .object(input) }
        let variables: JSONValue = ["input": .object(input), "connectorParameters": integration.secret ?? [:]]
        return try await functions.run(
            function, name: "getCredentialsFromConnectionParameters",
            context: .init(workspaceID: scope.workspaceID, tenantID: scope.tenantID, variables: variables, transport: nil)
        )
    }

    /// Runs the connector's `test` with these credentials; a connector without one passes.
    /// - Throws: `access_denied` naming the upstream status when the test fails.
    func test(_ option: ConnectorAuthOption, variables: JSONValue, scope: StoreScope, tags: [String: String]) async throws(SwitchyardError) {
        guard let function = option.functions[.test] else { return }
        let client = try await client(option: option, variables: variables, workspaceID: scope.workspaceID, tenantID: scope.tenantID)
        let transport = directTransport(client, secrets: Self.secretValues(variables["credentials"] ?? .null), tags: tags)
        try await test(function, variables: variables, scope: scope, transport: transport)
    }

    private func test(_ function: ConnectorFunction, variables: JSONValue, scope: StoreScope, transport: @escaping ExternalTransport) async throws(SwitchyardError) {
        let result: JSONValue
        do {
            result = try await functions.run(
                function, name: "test", context: .init(workspaceID: scope.workspaceID, tenantID: scope.tenantID, variables: variables, transport: transport)
            )
        } catch {
            if error.key == .notSupported { throw error }
            throw SwitchyardError(error.key == .unavailable ? .unavailable : .accessDenied, "the connection test failed: \(error.message)", data: error.data)
        }
        if result == false || result == .null, function.type != .restAPIMapping {
            throw SwitchyardError(.accessDenied, "the connection test failed: \(function.file) gave \(result.jsonText)")
        }
    }

    /// Runs the connector's `test` against a stored connection (`POST /connections/{id}/test`),
    /// with its requests sent as the connection (so an expired token is refreshed first).
    package func test(connectionID: String, scope: StoreScope) async throws(SwitchyardError) -> Record {
        let loaded = try await load(connectionID, scope: scope)
        guard let function = loaded.option.functions[.test] else { return loaded.connection }
        try await test(function, variables: loaded.variables, scope: loaded.scope, transport: transport(loaded.connection.id, scope: loaded.scope))
        return try await records.get(.connections, id: connectionID, scope: loaded.scope)
    }

    // MARK: Operations

    /// Runs one of the connector's API operations as the connection
    /// (`POST /connections/{id}/operations/{key}/run`).
    /// - Throws: `not_found` for an operation the connector does not have; the function's errors.
    package func runOperation(connectionID: String, key: String, input: JSONValue, scope: StoreScope) async throws(SwitchyardError) -> JSONValue {
        let loaded = try await load(connectionID, scope: scope)
        guard let operation = loaded.package.operations.first(where: { $0.key == key }) else {
            let known = loaded.package.operations.map(\.key).sorted()
            throw SwitchyardError(.notFound, "the connector has no operation \(key)" + (known.isEmpty ? "" : "; it has \(known.joined(separator: ", "))"))
        }
        var variables = loaded.variables.objectValue ?? [:]
        variables["input"] = input
        return try await functions.run(
            operation.run, name: "operation \(key)",
            context: .init(workspaceID: loaded.scope.workspaceID, tenantID: loaded.connection.tenantID, variables: .object(variables), transport: transport(loaded.connection.id, scope: loaded.scope))
        )
    }

    // MARK: Disconnecting

    /// Disconnects a connection: the connector's `revoke` (or the OAuth 2.0 `revokeUri`) is
    /// called with its credentials, the credentials are removed, and the connection is marked
    /// disconnected (and archived when `archive` is set). A revoke that fails is logged and
    /// reported in `revokeError`; it never keeps the connection connected.
    package func disconnect(connectionID: String, scope: StoreScope, archive: Bool) async throws(SwitchyardError) -> Record {
        let connection = try await records.get(.connections, id: connectionID, scope: scope)
        let owner = StoreScope.tenant(connection.tenantID ?? "", in: scope.workspaceID)
        var revokeError: String?
        if connection.archivedAt == nil, connection.document["state"]?.stringValue != "disconnected" {
            do throws(SwitchyardError) {
                try await revoke(try await load(connection, workspace: scope.workspaceID))
            } catch {
                revokeError = error.message
                logger.warning("revoking the connection's credentials failed", metadata: ["connection": "\(connectionID)", "error": "\(error.message)"])
            }
        }
        do throws(SwitchyardError) {
            try await vault.remove(connectionID: connectionID, workspaceID: scope.workspaceID, tenantID: connection.tenantID)
        } catch {
            logger.warning("removing the connection's credentials from the external store failed", metadata: ["connection": "\(connectionID)", "error": "\(error.message)"])
        }
        let revokeNote = revokeError
        let updated = try await records.update(.connections, id: connectionID, scope: owner, expectedRevision: nil) { record in
            var document = record.document.objectValue ?? [:]
            document["state"] = "disconnected"
            document["disconnected"] = true
            document["disconnectedReason"] = "disconnected through the API"
            document["revokeError"] = revokeNote.map { .string($0) } ?? .null
            document["credentialsRevision"] = .number(Double(CredentialRefresher.revision(record) + 1))
            document["credentialsExpiresAt"] = nil
            record.document = .object(document.filter { $0.value != .null })
            var secret = record.secret?.objectValue ?? [:]
            secret["credentials"] = nil
            record.secret = secret.isEmpty ? nil : .object(secret)
            if archive, record.archivedAt == nil { record.archivedAt = StoreClock.now() }
        }
        logger.info(archive ? "connection archived" : "connection disconnected", metadata: ["connection": "\(connectionID)"])
        await webhooks.notify(archive ? "connection.deleted" : "connection.disconnected", workspaceID: scope.workspaceID, tenantID: updated.tenantID, data: Self.event(updated))
        return updated
    }

    private func revoke(_ loaded: Loaded) async throws(SwitchyardError) {
        if let function = loaded.option.functions[.revoke] {
            _ = try await functions.run(
                function, name: "revoke",
                context: .init(
                    workspaceID: loaded.scope.workspaceID, tenantID: loaded.connection.tenantID, variables: loaded.variables,
                    transport: directTransport(try await client(loaded), secrets: Self.secretValues(loaded.credentials), tags: Self.tags(loaded.connection))
                )
            )
        } else if loaded.option.type == .oauth2, let credentials = OAuth2Credentials(loaded.credentials) {
            let oauth2 = try await Self.oauth2Config(loaded.option, integration: loaded.integration, functions: functions, scope: loaded.scope)
            guard oauth2.revokeUri != nil else { return }
            var flow = try oauth2Flow(oauth2, integration: loaded.integration, scope: loaded.scope)
            flow.tags = Self.tags(loaded.connection)
            try await flow.revoke(credentials)
        }
    }

    // MARK: Refresh

    /// One refresh against the provider with the connection's current credentials: the
    /// connector's `refreshCredentials` when it has one (its result is merged over the old
    /// credentials), else the OAuth 2.0 refresh token grant.
    static func refresh(_ connection: Record, _ environment: Environment) async -> CredentialRefresher.Outcome {
        let scope = StoreScope.tenant(connection.tenantID ?? "", in: connection.workspaceID)
        do throws(SwitchyardError) {
            let integration = try await environment.records.get(.integrations, id: connection.parentID ?? "", scope: scope)
            let (_, package) = try await environment.loader.package(for: integration, scope: scope)
            let (_, option) = try option(package.auth, key: connection.document["authOptionKey"]?.stringValue)
            let credentials = try await environment.vault.read(connection)
            let variables: JSONValue = ["credentials": credentials, "connectorParameters": integration.secret ?? [:], "parameters": connection.secret?["parameters"] ?? [:]]
            if let function = option.functions[.refreshCredentials] {
                return await refresh(with: function, option: option, credentials: credentials, variables: variables, connection: connection, environment)
            }
            guard let current = OAuth2Credentials(credentials) else {
                return .refused(error: "no_credentials", description: "the connection has no OAuth credentials to refresh")
            }
            guard option.type == .oauth2 else { return .refused(error: "configuration", description: "the connector's auth is not oauth2") }
            let oauth2 = try await oauth2Config(option, integration: integration, functions: environment.functions, scope: scope)
            var flow = OAuth2Flow(
                config: oauth2, clientID: integration.secret?["clientId"]?.stringValue ?? "", clientSecret: integration.secret?["clientSecret"]?.stringValue ?? "",
                http: environment.http
            )
            flow.tags = tags(connection)
            let outcome = CredentialRefresher.Outcome(await flow.refresh(current))
            guard case .credentials(let value, let expiresAt) = outcome else { return outcome }
            return .credentials(try await fromTokenResponse(value, option: option, integration: integration, functions: environment.functions, scope: scope), expiresAt: expiresAt)
        } catch {
            return .transient(error.message)
        }
    }

    private static func refresh(
        with function: ConnectorFunction, option: ConnectorAuthOption, credentials: JSONValue, variables: JSONValue, connection: Record, _ environment: Environment
    ) async -> CredentialRefresher.Outcome {
        do throws(SwitchyardError) {
            let client = try await client(
                option: option, variables: variables, workspaceID: connection.workspaceID, tenantID: connection.tenantID, functions: environment.functions,
                issuer: environment.issuer
            )
            let http = environment.http
            let secrets = secretValues(credentials)
            let tags = tags(connection)
            let value = try await environment.functions.run(
                function, name: "refreshCredentials",
                context: .init(
                    workspaceID: connection.workspaceID, tenantID: connection.tenantID, variables: variables,
                    transport: { call throws(SwitchyardError) in try await http.send(try client.request(for: call, secrets: secrets, tags: tags)) }
                )
            )
            guard case .object(let fresh) = value else {
                return .transient("\(function.file): refreshCredentials returned \(value.jsonText.prefix(60)), not an object of credentials")
            }
            let merged = (credentials.objectValue ?? [:]).merging(fresh) { $1 }
            var expiresAt = fresh["expiresAt"]?.numberValue
            if expiresAt == nil, let seconds = fresh["expires_in"]?.numberValue { expiresAt = Date().timeIntervalSince1970 + seconds }
            return .credentials(.object(merged), expiresAt: expiresAt)
        } catch {
            // Only the provider saying no disconnects; a connector bug or an outage does not.
            if error.key == .accessDenied { return .refused(error: "refresh_refused", description: error.message) }
            return .transient(error.message)
        }
    }

    /// The credentials to store from a token response: `getCredentialsFromAccessTokenResponse`
    /// over `{input: <token response>, connectorParameters}` merged over the response, when the
    /// connector has it.
    static func fromTokenResponse(
        _ credentials: JSONValue, option: ConnectorAuthOption, integration: Record, functions: ConnectorFunctionRunner, scope: StoreScope
    ) async throws(SwitchyardError) -> JSONValue {
        guard let function = option.functions[.getCredentialsFromAccessTokenResponse] else { return credentials }
        let value = try await functions.run(
            function, name: "getCredentialsFromAccessTokenResponse",
            context: .init(workspaceID: scope.workspaceID, tenantID: scope.tenantID, variables: ["input": credentials, "connectorParameters": integration.secret ?? [:]], transport: nil)
        )
        guard case .object(let extra) = value else { return credentials }
        return .object((credentials.objectValue ?? [:]).merging(extra) { $1 })
    }

    /// Runs a refresh the orchestrator scheduled ahead of expiry (job
    /// ``CredentialRefresher/refreshJobKind``): nothing when the credentials changed since it was
    /// scheduled or the connection is gone or disconnected.
    /// - Returns: What happened, for the job's log.
    /// - Throws: `unavailable` when the refresh failed for now (the job retries with backoff).
    package func refreshScheduled(_ args: JSONValue) async throws(SwitchyardError) -> String {
        guard let id = args["connectionId"]?.stringValue, let workspace = args["workspaceId"]?.stringValue else { return "malformed job arguments" }
        let scope = StoreScope.tenant(args["tenantId"]?.stringValue ?? "", in: workspace)
        let connection: Record
        do {
            connection = try await records.get(.connections, id: id, scope: scope)
        } catch where error.key == .notFound {
            return "the connection is gone"
        }
        let revision = Int64(args["revision"]?.numberValue ?? 0)
        if connection.archivedAt != nil || connection.document["state"]?.stringValue == "disconnected" { return "the connection is archived or disconnected" }
        if CredentialRefresher.revision(connection) > revision { return "the credentials changed since; nothing to do" }
        guard try await load(connection, workspace: workspace).refreshable else { return "the credentials cannot be refreshed (no refresh token)" }
        do {
            let refreshed = try await refresher.refreshed(id, scope: scope, observedRevision: revision)
            return "refreshed to revision \(CredentialRefresher.revision(refreshed))"
        } catch where error.key == .accessDenied {
            return "the provider refused: \(error.message)"
        }
    }
}
