import SwitchyardCore

/// What an action does, read from its effective element content: its `type`, the `config` that
/// type needs (formulas over `{input}`), the `inputSchema` its input must match and the
/// `outputMapping` applied to its result.
package struct ActionDefinition: Sendable {
    /// The action types.
    package enum Kind: String, Sendable, CaseIterable {
        case apiRequestToExternalApp = "api-request-to-external-app"
        case connectorOperation = "connector-operation"
        case listDataRecords = "list-data-records"
        case findDataRecordByID = "find-data-record-by-id"
        case searchDataRecords = "search-data-records"
        case matchDataRecord = "match-data-record"
        case createDataRecord = "create-data-record"
        case updateDataRecord = "update-data-record"
        case deleteDataRecord = "delete-data-record"
        case findOrCreateDataRecord = "find-or-create-data-record"
        case createDataLink = "create-data-link"
        case findDataLink = "find-data-link"
        case runJavaScript = "run-javascript"
        case apiRequestToYourApp = "api-request-to-your-app"
        case transform

        /// The `config` fields the type requires.
        var requiredConfig: [String] {
            switch self {
            case .apiRequestToExternalApp: ["path"]
            case .connectorOperation: ["operationKey"]
            case .listDataRecords, .searchDataRecords, .matchDataRecord: ["collectionKey"]
            case .findDataRecordByID, .deleteDataRecord: ["collectionKey", "id"]
            case .createDataRecord, .findOrCreateDataRecord: ["collectionKey", "fields"]
            case .updateDataRecord: ["collectionKey", "id", "fields"]
            case .runJavaScript: ["code"]
            case .apiRequestToYourApp: ["url"]
            case .transform: ["output"]
            case .createDataLink: ["dataLinkTableKey", "appRecordId", "externalRecordId"]
            case .findDataLink: ["dataLinkTableKey"]
            }
        }

        /// Whether it acts through a connection.
        package var needsConnection: Bool {
            switch self {
            case .runJavaScript, .apiRequestToYourApp, .transform: false
            default: true
            }
        }
    }

    package var kind: Kind
    package var config: [String: JSONValue]
    package var inputSchema: JSONSchema?
    package var outputMapping: JSONValue?
    /// The action's key or id, for messages and logs.
    package var name: String

    /// Reads an action's content.
    /// - Throws: `bad_request` naming what is missing or wrong (type, config fields, schema).
    package init(content: [String: JSONValue], name: String) throws(SwitchyardError) {
        self.name = name
        guard let typeName = content["type"]?.stringValue else {
            throw SwitchyardError(.badRequest, "action \(name) has no type; set one of: \(Kind.allCases.map(\.rawValue).joined(separator: ", "))", data: ["type": "is required"])
        }
        guard let kind = Kind(rawValue: typeName) else {
            throw SwitchyardError(
                .badRequest, "action \(name) has an unknown type \(typeName); use one of: \(Kind.allCases.map(\.rawValue).joined(separator: ", "))", data: ["type": "unknown"]
            )
        }
        self.kind = kind
        var config: [String: JSONValue] = [:]
        if let value = content["config"], value != .null {
            guard case .object(let members) = value else { throw SwitchyardError(.badRequest, "action \(name): config must be an object", data: ["config": "must be an object"]) }
            config = members
        }
        // A field mapping names the collection of a data action.
        let mapped = config["fieldMappingKey"] != nil && config["fieldMappingKey"] != .null
        let missing = kind.requiredConfig.filter { (config[$0] == nil || config[$0] == .null) && !(mapped && $0 == "collectionKey") }
        guard missing.isEmpty else {
            var data: [String: String] = [:]
            for field in missing { data["config.\(field)"] = "is required for \(typeName)" }
            throw SwitchyardError(.badRequest, "action \(name) (\(typeName)) needs config.\(missing.joined(separator: ", config."))", data: data)
        }
        self.config = config
        if let schema = content["inputSchema"], schema != .null {
            do {
                inputSchema = try JSONSchema(schema)
            } catch {
                throw SwitchyardError(.badRequest, "action \(name): inputSchema: \(error.message)", data: ["inputSchema": error.message])
            }
        }
        outputMapping = content["outputMapping"].flatMap { $0 == .null ? nil : $0 }
    }
}
