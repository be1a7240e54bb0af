import SwitchyardCore

/// The top-level fields of a connector's `spec.yml` (everything but `auth`).
package struct ConnectorSpec: Sendable, Hashable {
    /// The connector's key (safe pattern, see ``ConnectorKey``).
    package var key: String
    /// The display name.
    package var name: String
    /// The logo's URI, when given.
    package var logoUri: String?
    /// A description, when given.
    package var description: String?
    /// A link to the external API's documentation, when given.
    package var apiDocsUri: String?
    /// JSON Schema of connector-level parameters (for example a bring-your-own OAuth client id), when given.
    package var parametersSchema: JSONValue?

    /// Creates a spec.
    /// - Parameters:
    ///   - key: The key.
    ///   - name: The display name.
    ///   - logoUri: The logo URI.
    ///   - description: A description.
    ///   - apiDocsUri: The API docs URI.
    ///   - parametersSchema: The parameters schema.
    package init(
        key: String, name: String, logoUri: String? = nil, description: String? = nil, apiDocsUri: String? = nil,
        parametersSchema: JSONValue? = nil
    ) {
        self.key = key
        self.name = name
        self.logoUri = logoUri
        self.description = description
        self.apiDocsUri = apiDocsUri
        self.parametersSchema = parametersSchema
    }
}

/// The rule every key in a package follows: connector, operation, data collection and auth option keys.
package enum ConnectorKey {
    /// The pattern, as the error messages print it.
    package static let pattern = "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"

    /// Whether `key` matches ``pattern``: 1 to 64 ASCII letters, digits, `-` or `_`, not starting with `-` or `_`.
    /// - Parameter key: The key to check.
    package static func isValid(_ key: String) -> Bool {
        let scalars = Array(key.unicodeScalars)
        guard (1...64).contains(scalars.count) else { return false }
        func allowed(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        guard allowed(scalars[0]) else { return false }
        return scalars.dropFirst().allSatisfy { allowed($0) || $0 == "-" || $0 == "_" }
    }
}
