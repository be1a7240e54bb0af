import SwitchyardCore
import SwitchyardStore

/// A field mapping as it applies to one connection: the most specific element with its key
/// (the connection's instance, else the integration's, else the universal one), with the
/// tenant's configuration laid over its `importValue` and `exportValue` field by field, and the
/// app data schema it names.
///
/// `importValue` is an object of app fields, each a formula over `$.externalRecord` (a record
/// of the collection); `exportValue` is an object of collection fields, each a formula over
/// `$.appRecord`. A field whose formula gives `null` is left out of the result, so a partial
/// record (an update, a match query) does not clear the fields it does not name.
package struct FieldMapping: Sendable {
    /// The element's key.
    package var key: String
    /// The connector data collection the mapping reads and writes.
    package var collectionKey: String?
    /// The app data schema's key, and its schema (app records are checked against it on export).
    package var appDataSchemaKey: String?
    package var schema: JSONSchema?
    /// The effective formulas (the tenant's configuration included).
    package var importValue: JSONValue?
    package var exportValue: JSONValue?

    /// The content fields a tenant's configuration may change, field by field.
    package static let configurable = ["importValue", "exportValue"]

    /// The frozen-field list of a configurable content field.
    package static func frozenField(of name: String) -> String { name == "importValue" ? "frozenImportFields" : "frozenExportFields" }

    /// Content with a configuration (`{importValue: {field: formula}, exportValue: {…}}`) laid
    /// over it: each configured field replaces the content's formula for that field.
    package static func overlay(_ content: [String: JSONValue], configuration: JSONValue?) -> [String: JSONValue] {
        var result = content
        for name in configurable {
            guard case .object(let fields)? = configuration?[name] else { continue }
            var merged = content[name]?.objectValue ?? [:]
            for (field, formula) in fields { merged[field] = formula }
            result[name] = .object(merged)
        }
        return result
    }

    /// The frozen fields of content (`frozenImportFields` or `frozenExportFields`).
    package static func frozen(_ content: [String: JSONValue], _ name: String) -> Set<String> {
        guard case .array(let items)? = content[frozenField(of: name)] else { return [] }
        return Set(items.compactMap(\.stringValue))
    }
}

/// Reads field mappings for connections and runs records through them.
package struct FieldMappings: Sendable {
    let records: any RecordStore
    let links: DataLinks

    /// Creates the helper.
    package init(records: any RecordStore) {
        self.records = records
        links = DataLinks(records: records)
    }

    /// The field mapping a key names for a connection, with the tenant's configuration.
    /// - Throws: `not_found` naming `fieldMappingKey` when there is none, or naming
    ///   `appDataSchemaKey` when its app data schema is gone; `conflict` for a stored schema that
    ///   is not valid.
    package func effective(_ key: String, connection: Record, scope: StoreScope) async throws(SwitchyardError) -> FieldMapping {
        guard let element = try await ElementLookup.mostSpecific(.fieldMappings, key: key, connection: connection, records: records, scope: scope)
        else {
            throw SwitchyardError(
                .notFound, "no field mapping with key \(key) for the connection", data: ["fieldMappingKey": "no such field mapping"])
        }
        var cache: [String: Record] = [:]
        let content = FieldMapping.overlay(
            try await element.effective(records: records, scope: scope, cache: &cache).content, configuration: element.settings["configuration"])
        var mapping = FieldMapping(
            key: key, collectionKey: content["collectionKey"]?.stringValue, appDataSchemaKey: content["appDataSchemaKey"]?.stringValue,
            importValue: content["importValue"], exportValue: content["exportValue"])
        if let schemaKey = mapping.appDataSchemaKey {
            guard
                let schema = try await ElementLookup.mostSpecific(
                    .appDataSchemas, key: schemaKey, connection: connection, records: records, scope: scope)
            else {
                throw SwitchyardError(
                    .notFound, "field mapping \(key) names app data schema \(schemaKey), which does not exist",
                    data: ["appDataSchemaKey": "no such app data schema"])
            }
            let schemaContent = try await schema.effective(records: records, scope: scope, cache: &cache).content
            if let value = schemaContent["schema"], value != .null {
                do {
                    mapping.schema = try JSONSchema(value)
                } catch {
                    throw SwitchyardError(.conflict, "app data schema \(schemaKey) has a schema that is not valid: \(error.message)")
                }
            }
        }
        return mapping
    }

    /// An app record in the collection's shape.
    /// - Parameter partial: A part of a record (an update's fields, a match query): not checked
    ///   against the app data schema.
    /// - Throws: `bad_request` naming every field the app data schema refuses, or the formula
    ///   at fault.
    package func export(
        _ appRecord: JSONValue, _ mapping: FieldMapping, partial: Bool, connectionID: String?, scope: StoreScope
    ) async throws(SwitchyardError)
        -> JSONValue
    {
        if !partial { try mapping.schema?.check(appRecord, what: "app record of field mapping \(mapping.key)") }
        guard let formula = mapping.exportValue, formula != .null else { return appRecord }
        return Self.withoutNulls(
            try await evaluate(formula, ["appRecord": appRecord], mapping, "exportValue", connectionID: connectionID, scope: scope))
    }

    /// A collection record in the app's shape.
    package func `import`(
        _ externalRecord: JSONValue, _ mapping: FieldMapping, connectionID: String?, scope: StoreScope
    ) async throws(SwitchyardError)
        -> JSONValue
    {
        guard let formula = mapping.importValue, formula != .null else { return externalRecord }
        return Self.withoutNulls(
            try await evaluate(formula, ["externalRecord": externalRecord], mapping, "importValue", connectionID: connectionID, scope: scope))
    }

    /// A data method's result in the app's shape: `record` imported (the collection's record
    /// kept as `externalRecord`), `records` each imported (kept as `externalRecords`).
    package func importResult(
        _ result: JSONValue, _ mapping: FieldMapping, connectionID: String?, scope: StoreScope
    ) async throws(SwitchyardError)
        -> JSONValue
    {
        guard case .object(var members) = result else { return result }
        if let record = members["record"], record != .null {
            members["externalRecord"] = record
            members["record"] = try await self.import(record, mapping, connectionID: connectionID, scope: scope)
        }
        if case .array(let items)? = members["records"] {
            var imported: [JSONValue] = []
            imported.reserveCapacity(items.count)
            for item in items { imported.append(try await self.import(item, mapping, connectionID: connectionID, scope: scope)) }
            members["externalRecords"] = .array(items)
            members["records"] = .array(imported)
        }
        return .object(members)
    }

    private func evaluate(
        _ formula: JSONValue, _ variables: JSONValue, _ mapping: FieldMapping, _ field: String, connectionID: String?, scope: StoreScope
    ) async throws(SwitchyardError) -> JSONValue {
        try await links.evaluate(formula, variables: variables, connectionID: connectionID, scope: scope) { error in
            SwitchyardError(
                .badRequest, "field mapping \(mapping.key): \(field): \(error.message) (at \(error.path))", data: [field: error.message])
        }
    }

    static func withoutNulls(_ value: JSONValue) -> JSONValue {
        guard case .object(let members) = value else { return value }
        return .object(members.filter { $0.value != .null })
    }
}
