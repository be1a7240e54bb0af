import SwitchyardCore

/// What `/connect` (or `POST /connection-requests`) was asked for.
package struct ConnectRequest: Sendable {
    /// The integration's id or key.
    package var integration: String
    /// The connection to connect again (a re-auth), if any.
    package var connectionID: String?
    /// What to call the new connection.
    package var name: String?
    /// The connector auth option to connect with.
    package var authOptionKey: String?
    /// Keep the tenant's other connections to the integration.
    package var allowMultipleConnections = false
    /// Handed back to the SaaS with the result.
    package var customState: String?
    /// Where the browser goes at the end.
    package var redirectURI: String?
    /// What the user typed in, for auth types that take input (`client-credentials`).
    package var input: [String: JSONValue]?

    /// A connect request for an integration (id or key).
    package init(integration: String) {
        self.integration = integration
    }

    /// The request's parameters as a connection request stores them.
    var document: [String: JSONValue] {
        var document: [String: JSONValue] = ["integration": .string(integration), "allowMultipleConnections": .bool(allowMultipleConnections)]
        if let connectionID { document["connectionId"] = .string(connectionID) }
        if let name { document["name"] = .string(name) }
        if let authOptionKey { document["authOptionKey"] = .string(authOptionKey) }
        if let customState { document["customState"] = .string(customState) }
        if let redirectURI { document["redirectUri"] = .string(redirectURI) }
        return document
    }

    /// The request a stored connection request describes.
    init(document: JSONValue) {
        integration = document["integration"]?.stringValue ?? document["integrationId"]?.stringValue ?? ""
        connectionID = document["connectionId"]?.stringValue
        name = document["name"]?.stringValue
        authOptionKey = document["authOptionKey"]?.stringValue
        allowMultipleConnections = document["allowMultipleConnections"] == true
        customState = document["customState"]?.stringValue
        redirectURI = document["redirectUri"]?.stringValue
    }
}
