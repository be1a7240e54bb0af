import SwitchyardCore
import SwitchyardStore

/// A typed view over an integration record's document: its name and the connector (and
/// pinned connector version) it uses. Its key is the record's; its parameters are the record's
/// secret (``IntegrationParameters``).
package struct IntegrationDocument: Sendable, Equatable {
    private var fields: DocumentFields

    /// The view of a stored document.
    package init(_ document: JSONValue) {
        fields = DocumentFields(document)
    }

    /// A document with a name.
    package init(name: String) {
        fields = DocumentFields([:])
        self.name = name
    }

    /// The document, for storing.
    package var json: JSONValue { fields.json }

    /// Its display name.
    package var name: String? {
        get { fields.string("name") }
        set { fields.setString("name", newValue) }
    }

    /// The connector it uses (its id).
    package var connectorID: String? {
        get { fields.string("connectorId") }
        set { fields.setString("connectorId", newValue) }
    }

    /// The connector version it pins (`development` or a published version); the latest
    /// published one when `nil`.
    package var connectorVersion: String? {
        get { fields.string("connectorVersion") }
        set { fields.setString("connectorVersion", newValue) }
    }

    /// Uses another connector; a version pinned for the old one no longer applies.
    package mutating func use(connector id: String) {
        if connectorID != id { connectorVersion = nil }
        connectorID = id
    }
}

extension Record {
    /// The typed view of an integration record's document; setting it writes the document.
    package var integrationDocument: IntegrationDocument {
        get { IntegrationDocument(document) }
        set { document = newValue.json }
    }
}
