import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore

/// The generic element API, one set of routes per ``ElementType``: create, list, get, patch,
/// put, archive and reset, at the universal, integration and connection-instance layers.
///
/// Admins write universal and integration-level elements; tenants read those and create and
/// change instances for their own connections. A child that is not customized shows its
/// parent's content; a patch or put customizes it; `reset` makes it follow the parent again.
enum ElementRoutes {
    static let placementFields: Set<String> = ["key", "integrationId", "integrationKey", "connectionId", "instanceKey", "parentId"]

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        ElementType.all.flatMap { routes($0, deps) }
    }

    static func routes(_ type: ElementType, _ deps: APIDependencies) -> [APIRoute] {
        let item = schema(type)
        let selector = APIRoute.Parameter.path("selector", "the \(type.singular)'s id, its key (at the layer the query picks), or integrationKey.elementKey")
        let placement: [APIRoute.Parameter] = [
            .query("integrationKey", ["type": "string"], "the integration layer of this integration"),
            .query("integrationId", ["type": "string"], "the integration layer of this integration"),
            .query("connectionId", ["type": "string"], "the instance layer of this connection"),
            .query("instanceKey", ["type": "string"], "with connectionId: the instance with this instance key"),
        ]
        let operations = ElementOperations.self
        return [
            APIRoute(
                method: .get, path: type.path, access: .any, operationID: "list\(type.typeName)s", summary: "List \(type.singular)s", tag: type.tag,
                parameters: APIRoute.Parameter.searchableList("key or name") + placement + [
                    .query("layer", ["type": "string", "enum": .array(ElementLayer.allCases.map { .string($0.rawValue) })], "only this layer"),
                    .query("parentId", ["type": "string"], "only children of this element"), .query("key", ["type": "string"], "only elements with this key"),
                ],
                requestSchema: nil, responseSchema: RecordJSON.listSchema(item), successStatus: 200
            ) { request throws(SwitchyardError) in
                try await operations.list(type, request, deps)
            },
            APIRoute(
                method: .post, path: type.path, access: .any, operationID: "create\(type.typeName)", summary: "Create a \(type.singular) at any layer", tag: type.tag,
                parameters: [], requestSchema: createBody(type), responseSchema: item, successStatus: 201
            ) { request throws(SwitchyardError) in
                try await operations.create(type, request, deps)
            },
            APIRoute(
                method: .get, path: "\(type.path)/{selector}", access: .any, operationID: "get\(type.typeName)", summary: "Get a \(type.singular)", tag: type.tag,
                parameters: [selector] + placement + [.query("includeArchived", ["type": "boolean"], "also find an archived one")],
                requestSchema: nil, responseSchema: item, successStatus: 200
            ) { request throws(SwitchyardError) in
                let resolver = ElementResolver(type: type, records: deps.records, scope: request.caller.scope)
                let element = try await resolver.resolve(request.path("selector"), query: request.query, includeArchived: try ListQuery(request.query).includeArchived)
                var cache: [String: Record] = [:]
                return try await resolver.json(element, cache: &cache)
            },
            APIRoute(
                method: .patch, path: "\(type.path)/{selector}", access: .any, operationID: "update\(type.typeName)",
                summary: "Change some of a \(type.singular)'s fields (null removes one); a child becomes customized", tag: type.tag,
                parameters: [selector] + placement, requestSchema: contentBody(type, required: [], nullable: true), responseSchema: item, successStatus: 200
            ) { request throws(SwitchyardError) in
                try await operations.change(type, request, deps, replacing: false)
            },
            APIRoute(
                method: .put, path: "\(type.path)/{selector}", access: .any, operationID: "replace\(type.typeName)",
                summary: "Replace a \(type.singular)'s content; a child becomes customized", tag: type.tag,
                parameters: [selector] + placement, requestSchema: contentBody(type, required: ["name"], nullable: false), responseSchema: item, successStatus: 200
            ) { request throws(SwitchyardError) in
                try await operations.change(type, request, deps, replacing: true)
            },
            APIRoute(
                method: .post, path: "\(type.path)/{selector}/reset", access: .any, operationID: "reset\(type.typeName)",
                summary: "Drop a child's customization so it follows its parent again", tag: type.tag,
                parameters: [selector] + placement, requestSchema: nil, responseSchema: item, successStatus: 200
            ) { request throws(SwitchyardError) in
                try await operations.reset(type, request, deps)
            },
            APIRoute(
                method: .delete, path: "\(type.path)/{selector}", access: .any, operationID: "archive\(type.typeName)",
                summary: "Archive a \(type.singular) and the elements below it", tag: type.tag,
                parameters: [selector] + placement, requestSchema: nil, responseSchema: item, successStatus: 200
            ) { request throws(SwitchyardError) in
                try await operations.archive(type, request, deps)
            },
        ]
    }

    /// The response schema.
    static func schema(_ type: ElementType) -> JSONValue {
        // A flow instance's settings show beside its content.
        var settings: [String: JSONValue] = type.kind == .flows ? ["enabled": ["type": "boolean"], "parameters": ["type": "object"]] : [:]
        // A field mapping instance's tenant configuration shows beside its content.
        if type.kind == .fieldMappings { settings["configuration"] = FieldMappingInstanceRoutes.configurationSchema }
        // A data source instance's settings, and its sync status.
        if type.kind == .dataSources { settings = DataSourceInstanceRoutes.settingsSchema }
        return RecordJSON.schema(
            type.content.merging(settings) { $1 }.merging([
                "layer": ["type": "string", "enum": .array(ElementLayer.allCases.map { .string($0.rawValue) })], "isCustomized": ["type": "boolean"],
                "revision": ["type": "integer"], "parentRevision": ["type": "integer"], "integrationId": ["type": "string"], "connectionId": ["type": "string"],
                "instanceKey": ["type": "string"], "tenantId": ["type": "string"], "parentId": ["type": "string"],
            ]) { $1 }
        )
    }

    static let keySchema: JSONValue = ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^./]+$"]

    static func createBody(_ type: ElementType) -> JSONValue {
        let identifier: JSONValue = ["type": "string", "minLength": 1, "maxLength": 200]
        let placement: [String: JSONValue] = [
            "key": keySchema, "integrationId": identifier, "integrationKey": identifier, "connectionId": identifier, "instanceKey": identifier, "parentId": identifier,
        ]
        let layered: JSONValue = ["anyOf": [["required": ["connectionId"]], ["required": ["integrationKey"]], ["required": ["integrationId"]]]]
        return [
            "type": "object", "additionalProperties": false, "properties": .object(type.content.merging(placement) { $1 }),
            // An instance belongs to a connection; only elements below the universal layer have
            // parents; a universal element needs its key and name.
            "dependentRequired": ["instanceKey": ["connectionId"]],
            "dependentSchemas": ["parentId": layered],
            "anyOf": [["required": ["key"]], ["required": ["parentId"]]],
            "if": ["not": layered], "then": ["required": ["key", "name"]],
        ]
    }

    static func contentBody(_ type: ElementType, required: [String], nullable: Bool) -> JSONValue {
        var properties = type.content
        if nullable {
            for (name, schema) in properties where name != "name" { properties[name] = ["anyOf": [schema, ["type": "null"]]] }
        }
        return ["type": "object", "additionalProperties": false, "required": .array(required.map { .string($0) }), "properties": .object(properties)]
    }
}
