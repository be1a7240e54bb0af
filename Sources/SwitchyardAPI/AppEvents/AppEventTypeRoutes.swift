import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// `/app-event-types`: the kinds of events of the SaaS's own product, defined for the whole
/// workspace. Admins create, change, archive them and rotate their webhook secret; tenants
/// read them (without the webhook address, which only admins see).
enum AppEventTypeRoutes {
    /// A type as the API shows it.
    static let schema = RecordJSON.schema([
        "name": ["type": "string"], "description": ["type": "string"],
        "schema": ["type": ["object", "boolean"], "description": "JSON Schema every event's payload must pass"],
        "tenantIdFormula": ["description": "formula over {payload} giving the tenant's id (internalId)"],
        "webhookUri": ["type": "string", "description": "where the SaaS posts events of this type (admins only)"],
    ])

    /// The fields an admin writes.
    static let contentProperties: [String: JSONValue] = [
        "name": ["type": "string", "minLength": 1, "maxLength": 200], "description": ["type": "string", "minLength": 1, "maxLength": 2000],
        "schema": ["type": ["object", "boolean"]], "tenantIdFormula": [:],
    ]

    /// The body of `POST /app-event-types`.
    static let createBody: JSONValue = [
        "type": "object", "additionalProperties": false, "required": ["key", "name"],
        "properties": .object(contentProperties.merging(["key": ElementRoutes.keySchema]) { $1 }),
    ]

    /// The body of `PATCH /app-event-types/{selector}` (null removes a field).
    static let updateBody: JSONValue = [
        "type": "object", "additionalProperties": false,
        "properties": [
            "name": ["type": "string", "minLength": 1, "maxLength": 200],
            "description": ["type": ["string", "null"], "minLength": 1, "maxLength": 2000],
            "schema": ["type": ["object", "boolean", "null"]], "tenantIdFormula": [:],
        ],
    ]

    /// The routes.
    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        let selector = APIRoute.Parameter.path("selector", "the app event type's id or key")
        let tag = "App events"
        return [
            APIRoute(
                method: .get, path: "/app-event-types", access: .any, operationID: "listAppEventTypes", summary: "List app event types", tag: tag,
                parameters: APIRoute.Parameter.searchableList("key or name"), requestSchema: nil, responseSchema: RecordJSON.listSchema(schema),
                successStatus: 200
            ) { request throws(SwitchyardError) in
                let query = try ListQuery(request.query)
                let page = try await deps.records.list(
                    .appEventTypes, scope: request.caller.scope, filter: query.filter(searchFields: ["name"]),
                    limit: query.limit, cursor: query.cursor
                )
                return RecordJSON.list(page) { AppEventType(record: $0).json(admin: request.caller.isAdmin, base: deps.webhooksURI) }
            },
            APIRoute(
                method: .post, path: "/app-event-types", access: .admin, operationID: "createAppEventType",
                summary: "Create an app event type with its workspace-wide webhook address", tag: tag,
                parameters: [], requestSchema: createBody, responseSchema: schema, successStatus: 201
            ) { request throws(SwitchyardError) in
                try await create(request, deps)
            },
            APIRoute(
                method: .get, path: "/app-event-types/{selector}", access: .any, operationID: "getAppEventType", summary: "Get an app event type",
                tag: tag, parameters: [selector, .query("includeArchived", ["type": "boolean"], "also find an archived one")], requestSchema: nil,
                responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let includeArchived = try ListQuery(request.query).includeArchived
                let type = try await AppEventType.resolve(request.path("selector"), request, deps, includeArchived: includeArchived)
                return type.json(admin: request.caller.isAdmin, base: deps.webhooksURI)
            },
            APIRoute(
                method: .patch, path: "/app-event-types/{selector}", access: .admin, operationID: "updateAppEventType",
                summary: "Change an app event type's name, description, schema or tenantIdFormula (null removes one)", tag: tag,
                parameters: [selector], requestSchema: updateBody, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                try await update(request, deps)
            },
            APIRoute(
                method: .delete, path: "/app-event-types/{selector}", access: .admin, operationID: "archiveAppEventType",
                summary: "Archive an app event type: its webhook address stops working", tag: tag,
                parameters: [selector], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let type = try await AppEventType.resolve(request.path("selector"), request, deps)
                let record = try await deps.records.archive(.appEventTypes, id: type.record.id, scope: .workspace(request.caller.workspaceID))
                return AppEventType(record: record).json(admin: true, base: deps.webhooksURI)
            },
            APIRoute(
                method: .post, path: "/app-event-types/{selector}/rotate-secret", access: .admin, operationID: "rotateAppEventTypeSecret",
                summary: "Give an app event type a new webhook address; the old one stops working at once", tag: tag,
                parameters: [selector], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let type = try await AppEventType.resolve(request.path("selector"), request, deps)
                let secret = AppEventType.newSecret()
                let record = try await deps.records.update(
                    .appEventTypes, id: type.record.id, scope: .workspace(request.caller.workspaceID), expectedRevision: nil
                ) { record in
                    record.secret = secret
                }
                return AppEventType(record: record).json(admin: true, base: deps.webhooksURI)
            },
        ]
    }

    private static func create(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        var reader = try BodyReader(request.body, allowed: ["key", "name", "description", "schema", "tenantIdFormula"])
        let key = reader.string("key", required: true, maxLength: 100)
        let name = reader.string("name", required: true)
        let description = reader.string("description", maxLength: 2000)
        if let key, key.contains(".") || key.contains("/") { reader.reject("key", "must not contain . or /") }
        let schema = reader.members("schema")
        let formula = reader.members("tenantIdFormula")
        if schema == .null { reader.reject("schema", "must be a JSON Schema (an object or a boolean); leave it out for none") }
        AppEventType.check(schema: schema, formula: formula, into: &reader)
        try reader.finish()
        var document: [String: JSONValue] = ["name": .string(name ?? "")]
        if let description { document["description"] = .string(description) }
        if let schema, schema != .null { document["schema"] = schema }
        if let formula, formula != .null { document["tenantIdFormula"] = formula }
        let record = try await deps.records.insertKeyed(
            NewRecord(kind: .appEventTypes, key: key, document: .object(document), secret: AppEventType.newSecret()),
            scope: .workspace(request.caller.workspaceID), what: "an app event type"
        )
        return AppEventType(record: record).json(admin: true, base: deps.webhooksURI)
    }

    private static func update(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        var reader = try BodyReader(request.body, allowed: ["name", "description", "schema", "tenantIdFormula"])
        let name = reader.string("name")
        var changes: [String: JSONValue] = [:]
        if let name { changes["name"] = .string(name) }
        if let description = reader.members("description") {
            if description == .null {
                changes["description"] = .null
            } else if let text = reader.string("description", maxLength: 2000) {
                changes["description"] = .string(text)
            }
        }
        for field in ["schema", "tenantIdFormula"] {
            if let value = reader.members(field) { changes[field] = value }
        }
        AppEventType.check(schema: changes["schema"], formula: changes["tenantIdFormula"], into: &reader)
        try reader.finish()
        let type = try await AppEventType.resolve(request.path("selector"), request, deps)
        let fields = changes
        let record = try await deps.records.update(
            .appEventTypes, id: type.record.id, scope: .workspace(request.caller.workspaceID), expectedRevision: nil
        ) { record in
            guard case .object(var document) = record.document else { return }
            for (field, value) in fields {
                // null removes the field (JSONValue's own nil literal would store a null).
                if value == .null { document.removeValue(forKey: field) } else { document[field] = value }
            }
            record.document = .object(document)
        }
        return AppEventType(record: record).json(admin: true, base: deps.webhooksURI)
    }
}
