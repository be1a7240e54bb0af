import SwitchyardCore

/// One field of a connect form.
package struct ConnectInputField: Sendable, Equatable {
    /// The input's name (what the form sends as `input.<name>`).
    package var name: String
    /// Its label (the schema's `title`, else its name).
    package var title: String
    /// Whether the schema requires it.
    package var required: Bool
    /// Whether the value is a secret (shown as a password field).
    package var secret: Bool
    /// The property's own schema (type, description, pattern, enum, format…), for a form that
    /// checks the value before sending it.
    package var schema: JSONValue = [:]

    /// The fields of an `inputSchema` (an object schema), in the order of their names.
    static func fields(of schema: JSONValue?) -> [ConnectInputField] {
        guard case .object(let properties)? = schema?["properties"] else { return [] }
        var required: Set<String> = []
        if case .array(let items)? = schema?["required"] { required = Set(items.compactMap(\.stringValue)) }
        return properties.keys.sorted().map { name in
            let lowered = name.lowercased()
            let secret = properties[name]?["format"] == "password" || ["key", "secret", "password", "token"].contains { lowered.contains($0) }
            return ConnectInputField(
                name: name, title: properties[name]?["title"]?.stringValue ?? name, required: required.contains(name), secret: secret,
                schema: properties[name] ?? [:])
        }
    }
}
