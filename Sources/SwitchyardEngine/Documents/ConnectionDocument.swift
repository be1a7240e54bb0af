import SwitchyardCore
import SwitchyardStore

/// A typed view over a connection record's document: its name, integration and connector,
/// auth option, state, and the revision and expiry of its credentials (which themselves live
/// in the record's secret). The view owns `state` and the `disconnected` flag together: setting
/// one sets the other, so they never disagree.
package struct ConnectionDocument: Sendable, Equatable {
    private var fields: DocumentFields

    /// The view of a stored document.
    package init(_ document: JSONValue) {
        fields = DocumentFields(document)
    }

    /// An empty document.
    package init() {
        fields = DocumentFields([:])
    }

    /// The document, for storing.
    package var json: JSONValue { fields.json }

    /// What the tenant calls the connection.
    package var name: String? {
        get { fields.string("name") }
        set { fields.setString("name", newValue) }
    }

    /// The integration it connects through (also the record's parent).
    package var integrationID: String? {
        get { fields.string("integrationId") }
        set { fields.setString("integrationId", newValue) }
    }

    /// The connector of its integration when it was connected.
    package var connectorID: String? {
        get { fields.string("connectorId") }
        set { fields.setString("connectorId", newValue) }
    }

    /// The connector auth option it connected with (connectors with several).
    package var authOptionKey: String? {
        get { fields.string("authOptionKey") }
        set { fields.setString("authOptionKey", newValue) }
    }

    /// Where it stands (`connected` when the document does not say); setting it sets the
    /// `disconnected` flag to match.
    package var state: ConnectionState {
        get { fields.string("state").flatMap(ConnectionState.init(rawValue:)) ?? .connected }
        set {
            fields.setString("state", newValue.rawValue)
            fields.members["disconnected"] = .bool(newValue == .disconnected)
        }
    }

    /// Whether it needs to be connected again; always agrees with ``state``.
    package var isDisconnected: Bool { state == .disconnected }

    /// Why it was disconnected.
    package var disconnectedReason: String? {
        get { fields.string("disconnectedReason") }
        set { fields.setString("disconnectedReason", newValue) }
    }

    /// Why revoking its credentials at the provider failed, when disconnecting.
    package var revokeError: String? {
        get { fields.string("revokeError") }
        set { fields.setString("revokeError", newValue) }
    }

    /// Why the last refresh failed, while it stays connected.
    package var lastRefreshError: String? {
        get { fields.string("lastRefreshError") }
        set { fields.setString("lastRefreshError", newValue) }
    }

    /// Incremented each time its credentials change (refresh, reconnect, disconnect).
    package var credentialsRevision: Int64 {
        get { Int64(fields.number("credentialsRevision") ?? 0) }
        set { fields.setNumber("credentialsRevision", Double(newValue)) }
    }

    /// When its credentials expire, in seconds since the epoch, when they do.
    package var credentialsExpiresAt: Double? {
        get { fields.number("credentialsExpiresAt") }
        set { fields.setNumber("credentialsExpiresAt", newValue) }
    }

    /// Marks it connected with new credentials: the state (and flag), no reason, the new
    /// revision and expiry.
    package mutating func markConnected(revision: Int64, expiresAt: Double?) {
        state = .connected
        disconnectedReason = nil
        credentialsRevision = revision
        credentialsExpiresAt = expiresAt
    }

    /// Marks it disconnected, saying why. Every path that disconnects a connection goes
    /// through here, so the state and the flag always agree.
    package mutating func markDisconnected(reason: String) {
        state = .disconnected
        disconnectedReason = reason
    }

    /// What a connection event carries about the connection (never its credentials).
    package static func event(_ connection: Record) -> JSONValue {
        let view = connection.connectionDocument
        var object: [String: JSONValue] = ["id": .string(connection.id), "state": .string(view.state.rawValue)]
        if let name = view.name { object["name"] = .string(name) }
        if let integrationID = view.integrationID { object["integrationId"] = .string(integrationID) }
        if let connectorID = view.connectorID { object["connectorId"] = .string(connectorID) }
        if let reason = view.disconnectedReason { object["disconnectedReason"] = .string(reason) }
        if let tenant = connection.tenantID { object["tenantId"] = .string(tenant) }
        return ["connection": .object(object)]
    }
}

extension Record {
    /// The typed view of a connection record's document; setting it writes the document.
    package var connectionDocument: ConnectionDocument {
        get { ConnectionDocument(document) }
        set { document = newValue.json }
    }
}
