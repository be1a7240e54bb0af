import SwitchyardCore

/// The members of a record's JSON document, read and written by name; the typed views
/// (``ConnectionDocument``, ``IntegrationDocument``, ``ConnectorDocument``) are built on it.
/// Setting a member to `nil` removes it.
struct DocumentFields: Sendable, Equatable {
    /// The members.
    var members: [String: JSONValue]

    /// The members of a document (none when it is not an object).
    init(_ document: JSONValue) {
        members = document.objectValue ?? [:]
    }

    /// The document.
    var json: JSONValue { .object(members) }

    /// A string member.
    func string(_ name: String) -> String? { members[name]?.stringValue }

    /// A number member.
    func number(_ name: String) -> Double? { members[name]?.numberValue }

    /// Sets a string member, or removes it.
    mutating func setString(_ name: String, _ value: String?) { members[name] = value.map { .string($0) } }

    /// Sets a number member, or removes it.
    mutating func setNumber(_ name: String, _ value: Double?) { members[name] = value.map { .number($0) } }
}
