import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// A connection with its integration, connector auth option and credentials, loaded once for
/// a request (``ConnectionResolver/load(_:scope:)``).
struct LoadedConnection: Sendable {
    /// The stored connection.
    var connection: Record
    /// The connection's tenant's scope (admins act on any tenant's connection in it).
    var scope: StoreScope
    /// Its integration.
    var integration: Record
    /// The connector package its integration uses.
    var package: ConnectorPackage
    /// The auth option it connected with.
    var option: ConnectorAuthOption
    /// Its credentials, from the vault.
    var credentials: JSONValue

    /// `credentials`, `connectorParameters`, `parameters`.
    var variables: JSONValue {
        [
            "credentials": credentials, "connectorParameters": integration.integrationParameters.json,
            "parameters": connection.secret?["parameters"] ?? [:],
        ]
    }

    /// Whether the credentials can be refreshed: OAuth 2.0 with a refresh token, or a
    /// connector `refreshCredentials` function.
    var refreshable: Bool {
        option.functions[.refreshCredentials] != nil || OAuth2Credentials(credentials)?.refreshToken != nil
    }
}
