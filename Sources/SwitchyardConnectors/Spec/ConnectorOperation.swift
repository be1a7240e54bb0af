import SwitchyardCore

/// An API operation: `operations/<key>/spec.yml`.
package struct ConnectorOperation: Sendable, Hashable {
    /// The operation's key (its folder name).
    package var key: String
    /// The display name.
    package var name: String
    /// A description, when given.
    package var description: String?
    /// JSON Schema of the input, when given.
    package var inputSchema: JSONValue?
    /// JSON Schema of the output, when given.
    package var outputSchema: JSONValue?
    /// The function that runs the operation.
    package var run: ConnectorFunction

    /// Creates an operation.
    package init(
        key: String, name: String, description: String? = nil, inputSchema: JSONValue? = nil,
        outputSchema: JSONValue? = nil, run: ConnectorFunction
    ) {
        self.key = key
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.run = run
    }

    /// The JSON form.
    package var json: JSONValue {
        var object: [String: JSONValue] = ["key": .string(key), "name": .string(name), "run": run.json]
        if let description { object["description"] = .string(description) }
        if let inputSchema { object["inputSchema"] = inputSchema }
        if let outputSchema { object["outputSchema"] = outputSchema }
        return .object(object)
    }
}
