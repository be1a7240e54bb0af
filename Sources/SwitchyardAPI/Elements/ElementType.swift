import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore

/// One kind of element the generic element API serves: where it lives, what it is called, and
/// the fields of its content (what a child inherits from its parent). The same schemas validate
/// requests and describe them in the OpenAPI document.
struct ElementType: Sendable {
    /// The stored kind.
    var kind: RecordKind
    /// The collection path, for example `/actions`.
    var path: String
    /// The word for one, for messages (`action`).
    var singular: String
    /// The type name in operation ids (`Action` → `listActions`, `createAction`).
    var typeName: String
    /// The OpenAPI tag.
    var tag: String
    /// The content fields and their JSON schemas; `name` is required in every element's content.
    var content: [String: JSONValue]

    /// Every element type the API serves.
    static let all: [ElementType] = [actions, flows, dataSources, appDataSchemas, fieldMappings, dataLinkTables]

    static let common: [String: JSONValue] = [
        "name": ["type": "string", "minLength": 1, "maxLength": 200],
        "description": ["type": "string", "maxLength": 2000],
        "meta": ["type": "object"],
    ]

    static let actions = ElementType(
        kind: .actions, path: "/actions", singular: "action", typeName: "Action", tag: "Actions",
        content: common.merging([
            "type": ["type": "string", "minLength": 1, "maxLength": 100], "config": ["type": "object"], "inputSchema": ["type": "object"],
            "outputSchema": ["type": "object"], "outputMapping": [:],
        ]) { $1 }
    )

    static let flows = ElementType(
        kind: .flows, path: "/flows", singular: "flow", typeName: "Flow", tag: "Flows",
        content: common.merging([
            "nodes": ["type": "object"], "parametersSchema": ["type": "object"], "autoCreateInstances": ["type": "boolean"],
        ]) { $1 }
    )

    static let appDataSchemas = ElementType(
        kind: .appDataSchemas, path: "/app-data-schemas", singular: "app data schema", typeName: "AppDataSchema", tag: "App data schemas",
        content: common.merging(["schema": ["type": "object"]]) { $1 }
    )

    static let fieldMappings = ElementType(
        kind: .fieldMappings, path: "/field-mappings", singular: "field mapping", typeName: "FieldMapping", tag: "Field mappings",
        content: common.merging([
            "appDataSchemaKey": ["type": "string", "minLength": 1, "maxLength": 100],
            "collectionKey": ["type": "string", "minLength": 1, "maxLength": 200],
            "importValue": ["type": "object"], "exportValue": ["type": "object"],
            "frozenImportFields": ["type": "array", "items": ["type": "string"]],
            "frozenExportFields": ["type": "array", "items": ["type": "string"]],
        ]) { $1 }
    )

    static let dataLinkTables = ElementType(
        kind: .dataLinkTables, path: "/data-link-tables", singular: "data link table", typeName: "DataLinkTable", tag: "Data links", content: common
    )

    static let dataSources = ElementType(
        kind: .dataSources, path: "/data-sources", singular: "data source", typeName: "DataSource", tag: "Data sources",
        content: common.merging([
            "collectionKey": ["type": "string", "minLength": 1, "maxLength": 200], "collectionParameters": ["type": "object"],
            "udm": ["type": "string", "minLength": 1, "maxLength": 200],
            "pullUpdatesIntervalSeconds": ["type": "integer", "minimum": 1, "maximum": 31_536_000],
            "fullSyncIntervalSeconds": ["type": "integer", "minimum": 1, "maximum": 31_536_000],
        ]) { $1 }
    )

    /// Checks content as a whole, beyond each field's schema: a flow's `nodes` must be a
    /// valid flow graph; an app data schema's `schema` a valid JSON Schema; a field mapping's
    /// formulas and frozen field lists well formed (``checkFieldMapping(_:)``).
    /// - Throws: `bad_request` naming the node and field that is wrong.
    func check(_ content: [String: JSONValue]) throws(SwitchyardError) {
        switch kind {
        case .flows:
            guard let nodes = content["nodes"], nodes != .null else { return }
            _ = try FlowGraph(nodes)
        case .appDataSchemas:
            guard let schema = content["schema"], schema != .null else { return }
            do {
                _ = try JSONSchema(schema)
            } catch {
                throw SwitchyardError(.badRequest, "schema is not a valid JSON Schema: \(error.message)", data: ["schema": error.message])
            }
        case .fieldMappings:
            try Self.checkFieldMapping(content)
        default:
            return
        }
    }

    /// Checks content fields against their schemas, collecting every problem (`nil` removes a
    /// field in a patch, so it is allowed when `allowNull`).
    func validate(_ fields: [String: JSONValue], into problems: inout [String: String], allowNull: Bool) {
        for (name, value) in fields {
            guard let schema = content[name] else { continue }
            // null removes a field in a patch, and is a value like any other where any is allowed.
            if value == .null, name == "name" || !(allowNull || schema["type"] == nil) {
                problems[name] = name == "name" ? "is required" : "must not be null"
                continue
            }
            if value == .null { continue }
            if let problem = Self.problem(value, schema) { problems[name] = problem }
        }
    }

    /// What is wrong with a value under a field schema (type, and string lengths in Unicode
    /// scalars as JSON Schema counts them), or `nil`.
    static func problem(_ value: JSONValue, _ schema: JSONValue) -> String? {
        switch (schema["type"]?.stringValue, value) {
        case (nil, _), ("object"?, .object), ("boolean"?, .bool), ("array"?, .array):
            return nil
        case ("integer"?, .number(let number)):
            let minimum = schema["minimum"]?.numberValue ?? -Double.greatestFiniteMagnitude
            let maximum = schema["maximum"]?.numberValue ?? Double.greatestFiniteMagnitude
            guard number == number.rounded(), (minimum...maximum).contains(number) else {
                return "must be a whole number from \(Int(minimum)) to \(Int(maximum))"
            }
            return nil
        case ("string"?, .string(let text)):
            let length = text.unicodeScalars.count
            let minimum = Int(schema["minLength"]?.numberValue ?? 0)
            let maximum = Int(schema["maxLength"]?.numberValue ?? Double(Int.max))
            return (minimum...maximum).contains(length) ? nil : "must be \(minimum) to \(maximum) characters"
        case (let type?, _):
            return "must be \(type == "object" || type == "integer" ? "an" : "a") \(type)"
        }
    }
}
