import SwitchyardCore

/// The methods a data collection may implement.
package enum ConnectorDataMethod: String, Sendable, Hashable, CaseIterable, Comparable {
    /// List records.
    case list
    /// Find one record by id.
    case findById
    /// Create a record.
    case create
    /// Update a record.
    case update
    /// Delete a record.
    case delete
    /// Find a record matching given fields.
    case match
    /// Full-text search.
    case search

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A data collection: `data/<key>/spec.yml`.
package struct ConnectorDataCollection: Sendable, Hashable {
    /// The collection's key (its folder name).
    package var key: String
    /// The display name.
    package var name: String
    /// A description, when given.
    package var description: String?
    /// JSON Schema of collection parameters, when given.
    package var parametersSchema: JSONValue?
    /// JSON Schema of a record's fields.
    package var fieldsSchema: JSONValue
    /// The implemented methods (at least one).
    package var methods: [ConnectorDataMethod: ConnectorFunction]
    /// The field of an API record that holds its id (default `id`).
    package var idField: String
    /// A formula over an API record (`$`) giving the record's fields, when the API's shape is not the fields'.
    package var fieldsFromApi: JSONValue?
    /// A formula over a record's fields (`$`) giving what `create` and `update` send, when given.
    package var fieldsToApi: JSONValue?
    /// How the collection reports changes, when it does.
    package var events: ConnectorDataEvents?

    /// Creates a collection.
    package init(
        key: String, name: String, description: String? = nil, parametersSchema: JSONValue? = nil,
        fieldsSchema: JSONValue, methods: [ConnectorDataMethod: ConnectorFunction], idField: String = "id",
        fieldsFromApi: JSONValue? = nil, fieldsToApi: JSONValue? = nil, events: ConnectorDataEvents? = nil
    ) {
        self.idField = idField
        self.fieldsFromApi = fieldsFromApi
        self.fieldsToApi = fieldsToApi
        self.events = events
        self.key = key
        self.name = name
        self.description = description
        self.parametersSchema = parametersSchema
        self.fieldsSchema = fieldsSchema
        self.methods = methods
    }

    /// The JSON form.
    package var json: JSONValue {
        var object: [String: JSONValue] = [
            "key": .string(key), "name": .string(name), "fieldsSchema": fieldsSchema,
            "methods": .object(Dictionary(uniqueKeysWithValues: methods.map { ($0.key.rawValue, $0.value.json) })),
        ]
        if let description { object["description"] = .string(description) }
        if let parametersSchema { object["parametersSchema"] = parametersSchema }
        if idField != "id" { object["idField"] = .string(idField) }
        if let fieldsFromApi { object["fieldsFromApi"] = fieldsFromApi }
        if let fieldsToApi { object["fieldsToApi"] = fieldsToApi }
        if let events { object["events"] = events.json }
        return .object(object)
    }
}
