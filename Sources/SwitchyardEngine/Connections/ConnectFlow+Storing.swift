import Foundation
import Logging
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// The connection a finished flow stores: a new one, or an existing one connected again.
extension ConnectFlow {
    /// Stores the credentials of a finished OAuth 2.0 flow (through
    /// `getCredentialsFromAccessTokenResponse` when the connector has it).
    func store(
        _ outcome: OAuth2TokenResponse.Outcome, option: ConnectorAuthOption, integration: Record, request: [String: JSONValue], scope: StoreScope
    ) async throws(SwitchyardError) -> Record {
        switch CredentialRefresher.Outcome(outcome) {
        case .credentials(let value, let expiresAt):
            let credentials = try await resolver.fromTokenResponse(value, option: option, integration: integration, scope: scope)
            return try await store(credentials: credentials, expiresAt: expiresAt, integration: integration, request: request, scope: scope)
        case .refused(let error, let description):
            throw SwitchyardError(.accessDenied, "the provider refused the token request: \(error)" + (description.map { " (\($0))" } ?? ""))
        case .transient(let message): throw SwitchyardError(.unavailable, "the token request failed: \(message)")
        }
    }

    /// Stores credentials: a new connection (replacing the tenant's other connections to the
    /// integration unless several are allowed), or, for a re-auth, the existing one connected
    /// again. The credentials go to the vault first, so a store that fails leaves nothing half-done.
    func store(
        credentials: JSONValue, expiresAt: Double?, integration: Record, request: [String: JSONValue], scope: StoreScope
    ) async throws(SwitchyardError) -> Record {
        let stored: Record
        let vault = resolver.vault
        if let connectionID = request["connectionId"]?.stringValue {
            let existing = try await records.get(.connections, id: connectionID, scope: scope)
            let revision = existing.connectionDocument.credentialsRevision + 1
            let secretValue = try await vault.write(
                credentials, connectionID: connectionID, workspaceID: scope.workspaceID, tenantID: scope.tenantID, revision: revision)
            stored = try await records.update(.connections, id: connectionID, scope: scope, expectedRevision: nil) { record in
                var secret = record.secret?.objectValue ?? [:]
                secret["credentials"] = secretValue
                record.secret = .object(secret)
                record.connectionDocument.markConnected(revision: revision, expiresAt: expiresAt)
            }
            logger.info("connection reconnected", metadata: ["connection": "\(connectionID)"])
            await webhooks.notify(
                "connection.reconnected", workspaceID: scope.workspaceID, tenantID: scope.tenantID, data: ConnectionDocument.event(stored))
        } else {
            let id = UUID().uuidString.lowercased()
            let secretValue = try await vault.write(
                credentials, connectionID: id, workspaceID: scope.workspaceID, tenantID: scope.tenantID, revision: 1)
            var document = ConnectionDocument()
            document.name = request["name"]?.stringValue ?? integration.integrationDocument.name ?? "connection"
            document.integrationID = integration.id
            document.connectorID = integration.integrationDocument.connectorID
            document.authOptionKey = request["authOptionKey"]?.stringValue
            document.markConnected(revision: 1, expiresAt: expiresAt)
            var writes: [RecordWrite] = [
                .insert(
                    NewRecord(
                        kind: .connections, id: id, tenantID: scope.tenantID, parentID: integration.id, document: document.json,
                        secret: secretValue.map { ["credentials": $0] }),
                    scope: scope
                )
            ]
            if request["allowMultipleConnections"] != true {
                for other in try await records.list(
                    .connections, scope: scope, filter: RecordFilter(parentID: integration.id), limit: 1000, cursor: nil
                ).items {
                    writes.append(
                        .update(.connections, id: other.id, scope: scope, expectedRevision: nil) { record in
                            if record.archivedAt == nil { record.archivedAt = StoreClock.now() }
                        })
                }
            }
            let results = try await records.apply(writes)
            guard let created = results.first ?? nil else { throw SwitchyardError(.internal, "storing the connection returned nothing") }
            stored = created
            logger.info("connection created", metadata: ["connection": "\(created.id)", "integration": "\(integration.id)"])
            await webhooks.notify(
                "connection.created", workspaceID: scope.workspaceID, tenantID: scope.tenantID, data: ConnectionDocument.event(created))
            await flowInstances.autoCreate(for: created)
        }
        await CredentialRefresher.scheduleRefresh(stored, jobs: jobs, logger: logger)
        return stored
    }
}
