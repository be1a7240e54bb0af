import SwitchyardCore
import SwitchyardStore

/// A typed view over a connector record's document: its name, auth type, base URI and logo,
/// its development upload, and its latest published version.
package struct ConnectorDocument: Sendable, Equatable {
    private var fields: DocumentFields

    /// The view of a stored document.
    package init(_ document: JSONValue) {
        fields = DocumentFields(document)
    }

    /// A document with a name and auth type.
    package init(name: String, authType: String) {
        fields = DocumentFields([:])
        self.name = name
        self.authType = authType
    }

    /// The document, for storing.
    package var json: JSONValue { fields.json }

    /// Its display name.
    package var name: String? {
        get { fields.string("name") }
        set { fields.setString("name", newValue) }
    }

    /// Its auth type's name (from its package's `spec.yml` once uploaded).
    package var authType: String? {
        get { fields.string("authType") }
        set { fields.setString("authType", newValue) }
    }

    /// Its API's base URI, as given when it was created.
    package var baseURI: String? {
        get { fields.string("baseUri") }
        set { fields.setString("baseUri", newValue) }
    }

    /// Its logo's URI.
    package var logoURI: String? {
        get { fields.string("logoUri") }
        set { fields.setString("logoUri", newValue) }
    }

    /// The last uploaded package (`sha256`, `size`, `uploadedAt`, what it holds), if any.
    package var development: JSONValue? {
        get { fields.members["development"] }
        set { fields.members["development"] = newValue }
    }

    /// The SHA-256 naming the development package's archive.
    package var developmentDigest: String? { development?["sha256"]?.stringValue }

    /// The latest published version.
    package var latestVersion: String? {
        get { fields.string("latestVersion") }
        set { fields.setString("latestVersion", newValue) }
    }
}

extension Record {
    /// The typed view of a connector record's document; setting it writes the document.
    package var connectorDocument: ConnectorDocument {
        get { ConnectorDocument(document) }
        set { document = newValue.json }
    }
}
