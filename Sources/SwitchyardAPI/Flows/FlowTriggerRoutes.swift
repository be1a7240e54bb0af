import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// Events that start flows. `POST /webhooks/app-events/{flowId}`: the SaaS reports an event of
/// its own app; it goes to the tenant the tenant token names, or (with an admin token) the one
/// the trigger's `config.tenantIdFormula` finds in the payload, and is refused when neither
/// names a tenant. Every enabled instance of that flow for the tenant runs, when the trigger's
/// `config.filter` (if any) holds; the event, refused or not, is logged in `/app-events`. `POST /connections/{id}/events`: a data record of the
/// connection was created, updated or deleted, or the connector reported an event; instances
/// of the connection with a matching trigger run.
enum FlowTriggerRoutes {
    static let eventTypes = ["data-record-created", "data-record-updated", "data-record-deleted", "connector-event"]
    static let connectionEventBody: JSONValue = [
        "type": "object", "additionalProperties": false, "required": ["type"],
        "properties": [
            "type": ["type": "string", "enum": .array(eventTypes.map { .string($0) })],
            "collectionKey": ["type": "string", "minLength": 1, "maxLength": 200],
            "eventKey": ["type": "string", "minLength": 1, "maxLength": 200], "payload": [:],
        ],
        "if": ["properties": ["type": ["const": "connector-event"]]], "then": ["required": ["eventKey"]],
    ]
    static let runsSchema: JSONValue = [
        "type": "object", "required": ["flowRunIds"],
        "properties": [
            "flowRunIds": ["type": "array", "items": ["type": "string"]], "tenantId": ["type": "string"],
            "appEventId": ["type": "string", "description": "the event in /app-events (app events only)"],
        ],
    ]

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .post, path: "/webhooks/app-events/{flowId}", access: .any, operationID: "postAppEvent",
                summary: "Report an event of your app: runs the tenant's enabled instances of this app-event-triggered flow", tag: "Flows",
                parameters: [.path("flowId", "the id of a universal or integration-level flow whose trigger is app-event-trigger")],
                requestSchema: ["type": "object"], responseSchema: runsSchema, successStatus: 202
            ) { request throws(SwitchyardError) in
                try await appEvent(request, deps)
            },
            APIRoute(
                method: .post, path: "/connections/{id}/events", access: .any, operationID: "postConnectionEvent",
                summary: "Report a data record change or connector event of a connection: runs its instances with a matching trigger", tag: "Flows",
                parameters: [.path("id", "the connection's id")], requestSchema: connectionEventBody, responseSchema: runsSchema, successStatus: 202
            ) { request throws(SwitchyardError) in
                try await connectionEvent(request, deps)
            },
        ]
    }

    private static func appEvent(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        guard case .object? = request.body else { throw SwitchyardError(.badRequest, "the event must be a JSON object") }
        let payload = request.body ?? [:]
        let flowID = request.path("flowId")
        let flow = try await deps.records.get(.flows, id: flowID, scope: request.caller.scope)
        let element = Element(flow)
        guard element.layer != .instance, flow.archivedAt == nil else { throw SwitchyardError(.notFound, "flow \(flowID) not found") }
        var cache: [String: Record] = [:]
        let content = try await element.effective(records: deps.records, scope: request.caller.scope, cache: &cache).content
        guard let trigger = try? FlowGraph(content["nodes"]).trigger, trigger.kind == .trigger(.appEvent) else {
            throw SwitchyardError(.conflict, "flow \(flowID) does not start with an app-event-trigger")
        }
        // From here on the event is in /app-events, refused or not.
        let workspaceID = request.caller.workspaceID
        var event = AppEventRecord(source: .flow(flowID), tenantID: request.caller.tenantID)
        let tenantID: String
        do throws(SwitchyardError) {
            guard !BodyReader.containsNUL(payload) else {
                throw SwitchyardError(.badRequest, "the event must not contain the NUL character (U+0000)", data: ["payload": "contains U+0000"])
            }
            event.payload = payload
            tenantID = try await tenant(for: payload, trigger: trigger, request, deps)
            event.tenantID = tenantID
            if let filter = trigger.config["filter"] {
                let passed: JSONValue
                do {
                    passed = try Formula.evaluate(filter, variables: ["payload": payload])
                } catch {
                    throw SwitchyardError(.conflict, "the trigger's filter failed on this event: \(error.message) (at \(error.path))")
                }
                guard passed == .bool(true) else {
                    let ignored = event.ignored("the trigger's filter held the event back")
                    let stored = try await deps.records.insert(ignored, scope: event.scope(workspaceID))
                    return ["flowRunIds": [], "tenantId": .string(tenantID), "appEventId": .string(stored.id)]
                }
            }
        } catch {
            _ = try await deps.records.insert(event.rejected(error), scope: event.scope(workspaceID))
            throw error
        }
        let launcher = try deps.require(deps.flowLauncher)
        let scope = StoreScope.tenant(tenantID, in: workspaceID)
        let stored = try await deps.records.insert(event.received(), scope: scope)
        let runs = try await launcher.launchAppEvent(flowID: flowID, scope: scope, input: payload)
        _ = try await deps.records.update(.appEvents, id: stored.id, scope: scope, expectedRevision: nil) { record in
            record.document = AppEventRecord.launched(record.document, runs: runs)
        }
        return ["flowRunIds": .array(runs.map { .string($0.id) }), "tenantId": .string(tenantID), "appEventId": .string(stored.id)]
    }

    /// The tenant an event is for: the token's, or the one `tenantIdFormula` names.
    private static func tenant(
        for payload: JSONValue, trigger: FlowNode, _ request: APIRequest, _ deps: APIDependencies
    ) async throws(SwitchyardError) -> String {
        if let tenantID = request.caller.tenantID { return tenantID }
        return try await AppEventTenant.resolve(
            formula: trigger.config["tenantIdFormula"], payload: payload, workspaceID: request.caller.workspaceID, records: deps.records,
            missing: "send it with the tenant's token, or give the trigger a config.tenantIdFormula over $.payload"
        )
    }

    private static func connectionEvent(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        var reader = try BodyReader(request.body, allowed: ["type", "collectionKey", "eventKey", "payload"])
        let type = reader.string("type", required: true)
        let collectionKey = reader.string("collectionKey")
        let eventKey = reader.string("eventKey")
        let payload = reader.members("payload") ?? [:]
        if let type, !eventTypes.contains(type) { reader.reject("type", "must be one of \(eventTypes.joined(separator: ", "))") }
        if type == "connector-event", eventKey == nil { reader.reject("eventKey", "is required for connector-event") }
        try reader.finish()
        let launcher = try deps.require(deps.flowLauncher)
        let connection = try await ConnectionRoutes.live(request.path("id"), request, deps, includeArchived: false)
        let trigger = FlowNode.TriggerKind(rawValue: "\(type ?? "")-trigger") ?? .connectorEvent
        let runs = try await launcher.launchMatching(connection: connection, trigger: trigger, input: payload) { config in
            // A trigger that names a collection or event hears only that one.
            if let wanted = config["collectionKey"]?.stringValue, wanted != collectionKey { return false }
            if let wanted = config["eventKey"]?.stringValue, wanted != eventKey { return false }
            return true
        }
        return ["flowRunIds": .array(runs.map { .string($0.id) }), "tenantId": connection.tenantID.map { .string($0) } ?? .null]
    }
}
