import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// `/field-mapping-instances`: field mappings at a connection's instance layer, with the
/// tenant's configuration — `configuration.importValue` and `configuration.exportValue`, one
/// formula per field laid over the mapping's own (what the connect UI's
/// `fieldMapping(key).openConfiguration()` edits). The instance keeps following its parent
/// mapping for everything else. A tenant may configure every field but the frozen ones
/// (`frozenImportFields`, `frozenExportFields`); an admin may configure any.
enum FieldMappingInstanceRoutes {
    static let fieldFormulas: JSONValue = ["type": "object"]
    static let configurationSchema: JSONValue = [
        "type": "object", "properties": ["importValue": ["type": "object"], "exportValue": ["type": "object"]],
    ]
    static let createBody: JSONValue = [
        "type": "object", "additionalProperties": false, "required": ["connectionId"],
        "properties": [
            "fieldMappingKey": ["type": "string", "minLength": 1, "maxLength": 200],
            "fieldMappingId": ["type": "string", "minLength": 1, "maxLength": 200],
            "connectionId": ["type": "string", "minLength": 1, "maxLength": 200],
            "instanceKey": ["type": "string", "minLength": 1, "maxLength": 200],
            "importValue": fieldFormulas, "exportValue": fieldFormulas,
        ],
        "anyOf": [["required": ["fieldMappingKey"]], ["required": ["fieldMappingId"]]],
    ]
    static let patchBody: JSONValue = [
        "type": "object", "additionalProperties": false,
        "properties": [
            "importValue": ["anyOf": [["type": "object"], ["type": "null"]]], "exportValue": ["anyOf": [["type": "object"], ["type": "null"]]],
        ],
    ]

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        let item = ElementRoutes.schema(.fieldMappings)
        let id = APIRoute.Parameter.path("id", "the field mapping instance's id")
        let tag = "Field mappings"
        return [
            APIRoute(
                method: .get, path: "/field-mapping-instances", access: .any, operationID: "listFieldMappingInstances",
                summary: "List field mapping instances", tag: tag,
                parameters: APIRoute.Parameter.listParameters + [
                    .query("connectionId", ["type": "string"], "only this connection's instances"),
                    .query("fieldMappingKey", ["type": "string"], "only instances of this field mapping key"),
                    .query("customerId", ["type": "string"], "only this customer's instances (its id or internalId)"),
                ],
                requestSchema: nil, responseSchema: RecordJSON.listSchema(item), successStatus: 200
            ) { request throws(SwitchyardError) in
                var listing = request
                listing.query = request.query.filter { ["limit", "cursor", "includeArchived", "connectionId"].contains($0.key) }
                listing.query["layer"] = ElementLayer.instance.rawValue
                listing.query["key"] = request.query["fieldMappingKey"]
                let tenant = try await CustomerRoutes.filterID(request.query["customerId"], request, deps)
                return try await ElementOperations.list(.fieldMappings, listing, deps, tenantID: tenant)
            },
            APIRoute(
                method: .post, path: "/field-mapping-instances", access: .any, operationID: "createFieldMappingInstance",
                summary: "Create a field mapping's instance for a connection, with the tenant's configuration", tag: tag,
                parameters: [], requestSchema: createBody, responseSchema: item, successStatus: 201
            ) { request throws(SwitchyardError) in
                try await create(request, deps)
            },
            APIRoute(
                method: .get, path: "/field-mapping-instances/{id}", access: .any, operationID: "getFieldMappingInstance",
                summary: "Get a field mapping instance", tag: tag,
                parameters: [id], requestSchema: nil, responseSchema: item, successStatus: 200
            ) { request throws(SwitchyardError) in
                let element = try await instance(request.path("id"), request, deps)
                var cache: [String: Record] = [:]
                return try await ElementResolver(type: .fieldMappings, records: deps.records, scope: request.caller.scope).json(
                    element, cache: &cache)
            },
            APIRoute(
                method: .patch, path: "/field-mapping-instances/{id}", access: .any, operationID: "configureFieldMappingInstance",
                summary: "Change the tenant's configuration of a field mapping instance, field by field (null removes a field's setting)", tag: tag,
                parameters: [id], requestSchema: patchBody, responseSchema: item, successStatus: 200
            ) { request throws(SwitchyardError) in
                try await configure(request, deps)
            },
        ]
    }

    /// A live field mapping instance the caller may see.
    static func instance(_ id: String, _ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> Element {
        let record = try await deps.records.get(.fieldMappings, id: id, scope: request.caller.scope)
        let element = Element(record)
        guard element.layer == .instance, record.archivedAt == nil else { throw SwitchyardError(.notFound, "field mapping instance \(id) not found") }
        return element
    }

    private static func create(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        var reader = try BodyReader(
            request.body, allowed: ["fieldMappingKey", "fieldMappingId", "connectionId", "instanceKey", "importValue", "exportValue"])
        let mappingKey = reader.string("fieldMappingKey")
        let mappingID = reader.string("fieldMappingId")
        let connectionID = reader.string("connectionId", required: true)
        let instanceKey = reader.string("instanceKey")
        var changes: [String: JSONValue] = [:]
        for name in FieldMapping.configurable { if let value = reader.object(name) { changes[name] = value } }
        if mappingKey == nil, mappingID == nil { reader.reject("fieldMappingKey", "give fieldMappingKey or fieldMappingId") }
        try reader.finish()
        let connection = try await ConnectionRoutes.live(connectionID ?? "", request, deps, includeArchived: false)
        let scope = ConnectionRoutes.ownerScope(connection, request)
        let selector = mappingID ?? mappingKey ?? ""
        var parent: Record?
        if let mappingID {
            parent = try? await deps.records.get(.fieldMappings, id: mappingID, scope: scope)
        } else {
            parent = try await ElementLookup.shared(
                .fieldMappings, key: selector, integrationID: connection.parentID, records: deps.records, scope: scope)
        }
        guard let parent, Element(parent).layer != .instance, parent.archivedAt == nil else {
            throw SwitchyardError(
                .notFound, "no field mapping \(selector) for the connection's integration or at the universal layer",
                data: [mappingID == nil ? "fieldMappingKey" : "fieldMappingId": "no such field mapping"])
        }
        var cache: [String: Record] = [:]
        let content = try await Element(parent).effective(records: deps.records, scope: scope, cache: &cache).content
        let configuration = try configured([:], changes: changes, content: content, isAdmin: request.caller.isAdmin)
        let document = Element.document(
            layer: .instance, integrationID: connection.parentID, connectionID: connection.id, instanceKey: instanceKey, isCustomized: false,
            content: nil,
            settings: configuration.isEmpty ? [:] : ["configuration": .object(configuration)])
        let record: Record
        do {
            record = try await deps.records.insertKeyed(
                NewRecord(kind: .fieldMappings, tenantID: connection.tenantID, key: parent.key, parentID: parent.id, document: document),
                scope: scope,
                what: "an instance of this field mapping for the connection")
        } catch where error.key == .alreadyExists {
            throw SwitchyardError(
                .alreadyExists,
                "the connection already has an instance of field mapping \(parent.key ?? selector)"
                    + (instanceKey.map { " with instanceKey \($0)" } ?? "")
            )
        }
        return try await ElementResolver(type: .fieldMappings, records: deps.records, scope: request.caller.scope).json(
            Element(record), cache: &cache)
    }

    private static func configure(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        var reader = try BodyReader(request.body ?? [:], allowed: Set(FieldMapping.configurable))
        var changes: [String: JSONValue] = [:]
        for name in FieldMapping.configurable {
            switch reader.members(name) {
            case nil: break
            case .null?: changes[name] = .null
            default: if let value = reader.object(name) { changes[name] = value }
            }
        }
        try reader.finish()
        let element = try await instance(request.path("id"), request, deps)
        let scope = element.record.tenantID.map { StoreScope.tenant($0, in: request.caller.workspaceID) } ?? request.caller.scope
        var cache: [String: Record] = [:]
        let content = try await element.effective(records: deps.records, scope: scope, cache: &cache).content
        let current = element.settings["configuration"]?.objectValue ?? [:]
        let configuration = try configured(current, changes: changes, content: content, isAdmin: request.caller.isAdmin)
        let record = try await deps.records.update(.fieldMappings, id: element.record.id, scope: scope, expectedRevision: element.record.revision) {
            record in
            var updated = Element(record)
            updated.settings["configuration"] = configuration.isEmpty ? nil : .object(configuration)
            record.document = updated.withSettings(updated.settings)
        }
        return try await ElementResolver(type: .fieldMappings, records: deps.records, scope: request.caller.scope).json(
            Element(record), cache: &cache)
    }

    /// A configuration with changes applied: each field's formula is set, or removed by `null`
    /// (a whole `null` list removes them all).
    /// - Throws: `access_denied` naming a frozen field a tenant tried to set or remove;
    ///   `bad_request` for a formula that is not valid.
    static func configured(
        _ current: [String: JSONValue], changes: [String: JSONValue], content: [String: JSONValue], isAdmin: Bool
    ) throws(SwitchyardError) -> [String: JSONValue] {
        var configuration = current
        for name in FieldMapping.configurable {
            guard let change = changes[name] else { continue }
            let frozen = FieldMapping.frozen(content, name)
            var fields = configuration[name]?.objectValue ?? [:]
            let touched: [String: JSONValue] = change == .null ? fields.mapValues { _ in .null } : change.objectValue ?? [:]
            for (field, formula) in touched.sorted(by: { $0.key < $1.key }) {
                if !isAdmin, frozen.contains(field) {
                    throw SwitchyardError(
                        .accessDenied, "\(name).\(field) is frozen (\(FieldMapping.frozenField(of: name))): only an admin can change it",
                        data: ["\(name).\(field)": "is frozen"])
                }
                if formula == .null {
                    fields[field] = nil
                } else {
                    try ElementType.checkFormulas(formula, field: "\(name).\(field)")
                    fields[field] = formula
                }
            }
            configuration[name] = fields.isEmpty ? nil : .object(fields)
        }
        return configuration
    }
}
