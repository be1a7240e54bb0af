import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore

extension ElementType {
    /// A field mapping's formulas must be valid (`importValue`, `exportValue`, one formula per
    /// field) and its frozen field lists lists of field names.
    /// - Throws: `bad_request` naming the field and the formula's path.
    static func checkFieldMapping(_ content: [String: JSONValue]) throws(SwitchyardError) {
        for name in FieldMapping.configurable {
            guard let value = content[name], value != .null else { continue }
            try checkFormulas(value, field: name)
        }
        for name in ["frozenImportFields", "frozenExportFields"] {
            if case .array(let items)? = content[name], !items.allSatisfy({ $0.stringValue != nil }) {
                throw SwitchyardError(.badRequest, "\(name) must list field names (strings)", data: [name: "must be a list of strings"])
            }
        }
    }

    /// Refuses a formula document with an unknown operator or a malformed one, naming `field`
    /// and the path inside it.
    static func checkFormulas(_ value: JSONValue, field: String) throws(SwitchyardError) {
        do {
            try Formula.validate(value)
        } catch {
            throw SwitchyardError(
                .badRequest, "\(field) is not a valid formula: \(error.message) (at \(field).\(error.path))",
                data: [field: error.message, "formulaError": error.code.rawValue])
        }
    }

    /// Checks what content names in other elements: a field mapping's `appDataSchemaKey` must
    /// be the key of an app data schema the caller can see.
    /// - Throws: `bad_request` naming `appDataSchemaKey`.
    func checkReferences(_ content: [String: JSONValue], records: any RecordStore, scope: StoreScope) async throws(SwitchyardError) {
        guard kind == .fieldMappings, let key = content["appDataSchemaKey"]?.stringValue else { return }
        let found = try await records.list(.appDataSchemas, scope: scope, filter: RecordFilter(key: key), limit: 1, cursor: nil).items
        guard found.isEmpty else { return }
        throw SwitchyardError(
            .badRequest, "appDataSchemaKey \(key): there is no app data schema with this key", data: ["appDataSchemaKey": "no such app data schema"])
    }
}
