import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// `/flow-instances`: flows at a connection's instance layer with their settings — `enabled`
/// (triggers start runs only while it is true) and user `parameters` (checked against the
/// flow's `parametersSchema`, seen by its nodes as `$.parameters`). Changing settings does not
/// customize the instance; its content is customized and reset through `/flows`.
enum FlowInstanceRoutes {
    static let createBody: JSONValue = [
        "type": "object", "additionalProperties": false, "required": ["connectionId"],
        "properties": [
            "flowKey": ["type": "string", "minLength": 1, "maxLength": 200], "flowId": ["type": "string", "minLength": 1, "maxLength": 200],
            "connectionId": ["type": "string", "minLength": 1, "maxLength": 200],
            "instanceKey": ["type": "string", "minLength": 1, "maxLength": 200],
            "enabled": ["type": "boolean"], "parameters": ["type": "object"],
        ],
        "anyOf": [["required": ["flowKey"]], ["required": ["flowId"]]],
    ]
    static let patchBody: JSONValue = [
        "type": "object", "additionalProperties": false, "properties": ["enabled": ["type": "boolean"], "parameters": ["type": "object"]],
    ]
    static let runBody: JSONValue = ["type": "object", "additionalProperties": false, "properties": ["input": [:]]]

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        let item = ElementRoutes.schema(.flows)
        let id = APIRoute.Parameter.path("id", "the flow instance's id")
        return [
            APIRoute(
                method: .get, path: "/flow-instances", access: .any, operationID: "listFlowInstances", summary: "List flow instances",
                tag: "Flow instances",
                parameters: APIRoute.Parameter.listParameters + [
                    .query("connectionId", ["type": "string"], "only this connection's instances"),
                    .query("flowKey", ["type": "string"], "only instances of this flow key"),
                    .query("customerId", ["type": "string"], "only this customer's instances (its id or internalId)"),
                ],
                requestSchema: nil, responseSchema: RecordJSON.listSchema(item), successStatus: 200
            ) { request throws(SwitchyardError) in
                var query = request.query
                query["layer"] = ElementLayer.instance.rawValue
                query["key"] = request.query["flowKey"]
                query["flowKey"] = nil
                var listing = request
                listing.query = query
                let tenant = try await CustomerRoutes.filterID(request.query["customerId"], request, deps)
                return try await ElementOperations.list(.flows, listing, deps, tenantID: tenant)
            },
            APIRoute(
                method: .post, path: "/flow-instances", access: .any, operationID: "createFlowInstance",
                summary: "Create a flow's instance for a connection, with its settings", tag: "Flow instances",
                parameters: [], requestSchema: createBody, responseSchema: item, successStatus: 201
            ) { request throws(SwitchyardError) in
                try await create(request, deps)
            },
            APIRoute(
                method: .get, path: "/flow-instances/{id}", access: .any, operationID: "getFlowInstance", summary: "Get a flow instance",
                tag: "Flow instances",
                parameters: [id], requestSchema: nil, responseSchema: item, successStatus: 200
            ) { request throws(SwitchyardError) in
                let element = try await instance(request.path("id"), request, deps)
                var cache: [String: Record] = [:]
                return try await ElementResolver(type: .flows, records: deps.records, scope: request.caller.scope).json(element, cache: &cache)
            },
            APIRoute(
                method: .patch, path: "/flow-instances/{id}", access: .any, operationID: "updateFlowInstance",
                summary: "Enable or disable a flow instance, or set its parameters", tag: "Flow instances",
                parameters: [id], requestSchema: patchBody, responseSchema: item, successStatus: 200
            ) { request throws(SwitchyardError) in
                try await update(request, deps)
            },
            APIRoute(
                method: .post, path: "/flow-instances/{id}/run", access: .any, operationID: "runFlowInstance",
                summary: "Queue a run of a flow instance", tag: "Flow instances",
                parameters: [id], requestSchema: runBody, responseSchema: FlowRunRoutes.runSchema, successStatus: 201
            ) { request throws(SwitchyardError) in
                let reader = try BodyReader(request.body ?? [:], allowed: ["input"])
                let input = reader.members("input") ?? [:]
                try reader.finish()
                let element = try await instance(request.path("id"), request, deps)
                return try await FlowRunRoutes.launch(element, input: input, launcher: try deps.require(deps.flowLauncher))
            },
        ]
    }

    /// A live flow instance the caller may see.
    static func instance(_ id: String, _ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> Element {
        let record = try await deps.records.get(.flows, id: id, scope: request.caller.scope)
        let element = Element(record)
        guard element.layer == .instance, record.archivedAt == nil else { throw SwitchyardError(.notFound, "flow instance \(id) not found") }
        return element
    }

    private static func create(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        var reader = try BodyReader(request.body, allowed: ["flowKey", "flowId", "connectionId", "instanceKey", "enabled", "parameters"])
        let flowKey = reader.string("flowKey")
        let flowID = reader.string("flowId")
        let connectionID = reader.string("connectionId", required: true)
        let instanceKey = reader.string("instanceKey")
        let enabled = reader.bool("enabled")
        let parameters = reader.object("parameters")
        if flowKey == nil, flowID == nil { reader.reject("flowKey", "give flowKey or flowId") }
        try reader.finish()
        let instances = try deps.require(deps.flowInstances)
        let connection = try await ConnectionRoutes.live(connectionID ?? "", request, deps, includeArchived: false)
        let scope = ConnectionRoutes.ownerScope(connection, request)
        let selector = flowID ?? flowKey ?? ""
        var parent: Record
        do {
            parent = try await deps.records.get(.flows, id: selector, scope: scope)
        } catch where error.key == .notFound && flowID == nil {
            guard let found = try await instances.parent(key: selector, integrationID: connection.parentID, scope: scope) else {
                throw SwitchyardError(
                    .notFound, "no flow with key \(selector) for the connection's integration or at the universal layer",
                    data: ["flowKey": "no such flow"])
            }
            parent = found
        }
        guard Element(parent).layer != .instance, parent.archivedAt == nil else {
            throw SwitchyardError(
                .notFound, "flow \(selector) not found above the instance layer", data: [flowID == nil ? "flowKey" : "flowId": "no such flow"])
        }
        var settings: [String: JSONValue] = ["enabled": .bool(enabled ?? true)]
        if let parameters {
            try await checkParameters(parameters, flow: Element(parent), scope: scope, deps)
            settings["parameters"] = parameters
        }
        let element: Element
        do {
            element = try await instances.create(parent: parent, connection: connection, instanceKey: instanceKey, settings: settings, scope: scope)
        } catch where error.key == .alreadyExists {
            throw SwitchyardError(
                .alreadyExists,
                "the connection already has an instance of flow \(parent.key ?? selector)\(instanceKey.map { " with instanceKey \($0)" } ?? "")")
        }
        var cache: [String: Record] = [:]
        return try await ElementResolver(type: .flows, records: deps.records, scope: request.caller.scope).json(element, cache: &cache)
    }

    private static func update(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        var reader = try BodyReader(request.body ?? [:], allowed: ["enabled", "parameters"])
        let enabled = reader.bool("enabled")
        let parameters = reader.object("parameters")
        try reader.finish()
        let instances = try deps.require(deps.flowInstances)
        let element = try await instance(request.path("id"), request, deps)
        let scope = element.record.tenantID.map { StoreScope.tenant($0, in: request.caller.workspaceID) } ?? request.caller.scope
        if let parameters { try await checkParameters(parameters, flow: element, scope: scope, deps) }
        let record = try await deps.records.update(.flows, id: element.record.id, scope: scope, expectedRevision: nil) { record in
            var current = Element(record)
            if let enabled { current.settings["enabled"] = .bool(enabled) }
            if let parameters { current.settings["parameters"] = parameters }
            record.document = current.withSettings(current.settings)
        }
        let updated = Element(record)
        try await instances.syncSchedule(updated, scope: scope)
        try await AppEventSubscriptions(records: deps.records).sync(after: updated)
        var cache: [String: Record] = [:]
        return try await ElementResolver(type: .flows, records: deps.records, scope: request.caller.scope).json(updated, cache: &cache)
    }

    /// Refuses parameters the flow's `parametersSchema` does not accept, naming every problem.
    private static func checkParameters(
        _ parameters: JSONValue, flow: Element, scope: StoreScope, _ deps: APIDependencies
    ) async throws(SwitchyardError) {
        var cache: [String: Record] = [:]
        let content = try await flow.effective(records: deps.records, scope: scope, cache: &cache).content
        guard let schema = content["parametersSchema"], schema != .null else { return }
        let checked: JSONSchema
        do {
            checked = try JSONSchema(schema)
        } catch {
            throw SwitchyardError(.conflict, "the flow's parametersSchema is not a valid schema: \(error.message)")
        }
        try checked.check(parameters, what: "parameters")
    }
}
