import Foundation
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// One refresh of a connection's credentials against the provider, with its current
/// credentials: the connector's `refreshCredentials` when it has one (its result is merged over
/// the old credentials), else the OAuth 2.0 refresh token grant. The ``CredentialRefresher``
/// calls it, at most once at a time per connection.
struct CredentialRenewer: Sendable {
    /// Integrations, connector packages, credentials and OAuth flows.
    let resolver: ConnectionResolver

    /// Refreshes once; never throws, the outcome says how it went.
    func refresh(_ connection: Record) async -> CredentialRefresher.Outcome {
        let scope = StoreScope.tenant(connection.tenantID ?? "", in: connection.workspaceID)
        do throws(SwitchyardError) {
            let integration = try await resolver.records.get(.integrations, id: connection.parentID ?? "", scope: scope)
            let (_, package) = try await resolver.loader.package(for: integration, scope: scope)
            let (_, option) = try ConnectionResolver.option(package.auth, key: connection.connectionDocument.authOptionKey)
            let credentials = try await resolver.vault.read(connection)
            let parameters = integration.integrationParameters
            let variables: JSONValue = [
                "credentials": credentials, "connectorParameters": parameters.json, "parameters": connection.secret?["parameters"] ?? [:],
            ]
            if let function = option.functions[.refreshCredentials] {
                return await refresh(with: function, option: option, credentials: credentials, variables: variables, connection: connection)
            }
            guard let current = OAuth2Credentials(credentials) else {
                return .refused(error: "no_credentials", description: "the connection has no OAuth credentials to refresh")
            }
            guard option.type == .oauth2 else { return .refused(error: "configuration", description: "the connector's auth is not oauth2") }
            let oauth2 = try await resolver.oauth2Config(option, integration: integration, scope: scope)
            var flow = OAuth2Flow(
                config: oauth2, clientID: parameters.clientID ?? "", clientSecret: parameters.clientSecret ?? "", http: resolver.http)
            flow.tags = ConnectionLog.tags(connection)
            let outcome = CredentialRefresher.Outcome(await flow.refresh(current))
            guard case .credentials(let value, let expiresAt) = outcome else { return outcome }
            return .credentials(
                try await resolver.fromTokenResponse(value, option: option, integration: integration, scope: scope), expiresAt: expiresAt)
        } catch {
            return .transient(error.message)
        }
    }

    private func refresh(
        with function: ConnectorFunction, option: ConnectorAuthOption, credentials: JSONValue, variables: JSONValue, connection: Record
    ) async -> CredentialRefresher.Outcome {
        do throws(SwitchyardError) {
            let client = try await resolver.client(
                option: option, variables: variables, workspaceID: connection.workspaceID, tenantID: connection.tenantID)
            let value = try await resolver.functions.run(
                function, name: "refreshCredentials",
                context: .init(
                    workspaceID: connection.workspaceID, tenantID: connection.tenantID, variables: variables,
                    transport: resolver.directTransport(
                        client, secrets: ConnectionLog.secretValues(credentials), tags: ConnectionLog.tags(connection))
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
}
