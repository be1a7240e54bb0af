import Foundation
import Logging
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// A stored connection's life after connecting: its test, disconnecting (with the connector's
/// revoke) and archiving, and the refresh of its credentials (on demand and ahead of expiry).
package struct ConnectionLifecycle: Sendable {
    /// Connections with their integration, package and credentials.
    let resolver: ConnectionResolver
    /// Sends a test's requests as the connection.
    let sender: ConnectionSender
    /// Refreshes credentials, once at a time.
    let refresher: CredentialRefresher
    /// Tells the SaaS about disconnected and deleted connections.
    let webhooks: WebhookNotifier
    /// Logs disconnects and failed revokes.
    let logger: Logger

    /// Connections.
    var records: any RecordStore { resolver.records }

    /// Runs the connector's `test` against a stored connection (`POST /connections/{id}/test`),
    /// with its requests sent as the connection (so an expired token is refreshed first).
    package func test(connectionID: String, scope: StoreScope) async throws(SwitchyardError) -> Record {
        let loaded = try await resolver.load(connectionID, scope: scope)
        guard let function = loaded.option.functions[.test] else { return loaded.connection }
        try await resolver.test(
            function, variables: loaded.variables, scope: loaded.scope, transport: sender.transport(loaded.connection.id, scope: loaded.scope))
        return try await records.get(.connections, id: connectionID, scope: loaded.scope)
    }

    /// Refreshes a connection's credentials now (`POST /connections/{id}/refresh-credentials`),
    /// unless they changed since `connection` was read.
    /// - Throws: `access_denied` when the provider refused (the connection is then
    ///   disconnected), `unavailable` for a passing failure.
    package func refresh(_ connection: Record, scope: StoreScope) async throws(SwitchyardError) -> Record {
        try await refresher.refreshed(connection.id, scope: scope, observedRevision: connection.connectionDocument.credentialsRevision)
    }

    /// Disconnects a connection: the connector's `revoke` (or the OAuth 2.0 `revokeUri`) is
    /// called with its credentials, the credentials are removed, and the connection is marked
    /// disconnected (and archived when `archive` is set). A revoke that fails is logged and
    /// reported in `revokeError`; it never keeps the connection connected.
    package func disconnect(connectionID: String, scope: StoreScope, archive: Bool) async throws(SwitchyardError) -> Record {
        let connection = try await records.get(.connections, id: connectionID, scope: scope)
        let owner = StoreScope.tenant(connection.tenantID ?? "", in: scope.workspaceID)
        var revokeError: String?
        if connection.archivedAt == nil, !connection.connectionDocument.isDisconnected {
            do throws(SwitchyardError) {
                try await revoke(try await resolver.load(connection, workspace: scope.workspaceID))
            } catch {
                revokeError = error.message
                logger.warning(
                    "revoking the connection's credentials failed", metadata: ["connection": "\(connectionID)", "error": "\(error.message)"])
            }
        }
        do throws(SwitchyardError) {
            try await resolver.vault.remove(connectionID: connectionID, workspaceID: scope.workspaceID, tenantID: connection.tenantID)
        } catch {
            logger.warning(
                "removing the connection's credentials from the external store failed",
                metadata: ["connection": "\(connectionID)", "error": "\(error.message)"])
        }
        let revokeNote = revokeError
        let updated = try await records.update(.connections, id: connectionID, scope: owner, expectedRevision: nil) { record in
            var document = record.connectionDocument
            document.markDisconnected(reason: "disconnected through the API")
            document.revokeError = revokeNote
            document.credentialsRevision += 1
            document.credentialsExpiresAt = nil
            record.connectionDocument = document
            var secret = record.secret?.objectValue ?? [:]
            secret["credentials"] = nil
            record.secret = secret.isEmpty ? nil : .object(secret)
            if archive, record.archivedAt == nil { record.archivedAt = StoreClock.now() }
        }
        logger.info(archive ? "connection archived" : "connection disconnected", metadata: ["connection": "\(connectionID)"])
        let event = archive ? "connection.deleted" : "connection.disconnected"
        await webhooks.notify(event, workspaceID: scope.workspaceID, tenantID: updated.tenantID, data: ConnectionDocument.event(updated))
        return updated
    }

    private func revoke(_ loaded: LoadedConnection) async throws(SwitchyardError) {
        if let function = loaded.option.functions[.revoke] {
            let client = try await resolver.client(loaded)
            _ = try await resolver.functions.run(
                function, name: "revoke",
                context: .init(
                    workspaceID: loaded.scope.workspaceID, tenantID: loaded.connection.tenantID, variables: loaded.variables,
                    transport: resolver.directTransport(
                        client, secrets: ConnectionLog.secretValues(loaded.credentials), tags: ConnectionLog.tags(loaded.connection))
                )
            )
        } else if loaded.option.type == .oauth2, let credentials = OAuth2Credentials(loaded.credentials) {
            let oauth2 = try await resolver.oauth2Config(loaded.option, integration: loaded.integration, scope: loaded.scope)
            guard oauth2.revokeUri != nil else { return }
            var flow = try resolver.oauth2Flow(oauth2, integration: loaded.integration, scope: loaded.scope)
            flow.tags = ConnectionLog.tags(loaded.connection)
            try await flow.revoke(credentials)
        }
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
        let document = connection.connectionDocument
        if connection.archivedAt != nil || document.isDisconnected { return "the connection is archived or disconnected" }
        if document.credentialsRevision > revision { return "the credentials changed since; nothing to do" }
        guard try await resolver.load(connection, workspace: workspace).refreshable else {
            return "the credentials cannot be refreshed (no refresh token)"
        }
        do {
            let refreshed = try await refresher.refreshed(id, scope: scope, observedRevision: revision)
            return "refreshed to revision \(refreshed.connectionDocument.credentialsRevision)"
        } catch where error.key == .accessDenied {
            return "the provider refused: \(error.message)"
        }
    }
}
