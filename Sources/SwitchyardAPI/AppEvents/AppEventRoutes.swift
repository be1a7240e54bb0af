import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// `/app-events`: the log of events posted to app event types, each with the runs it started
/// or why it started none; and `/app-event-subscriptions`: which tenants listen to which types,
/// through which flow instances. Tenants see only their own.
enum AppEventRoutes {
    /// The states an event can be in.
    static let statuses: JSONValue = .array(AppEventRecord.Status.allCases.map { .string($0.rawValue) })

    /// An event as the API shows it.
    static let eventSchema = RecordJSON.schema([
        "appEventTypeId": ["type": "string"], "appEventTypeKey": ["type": ["string", "null"]], "tenantId": ["type": ["string", "null"]],
        "flowId": ["type": "string", "description": "the flow whose own address the event was posted to"],
        "payload": [:], "receivedAt": ["type": "string", "format": "date-time"], "status": ["type": "string", "enum": statuses],
        "flowRunIds": ["type": "array", "items": ["type": "string"]],
        "reason": ["type": "string", "description": "why the event started no run"],
        "error": ["type": "object", "description": "why the event was refused, or why no run could be queued"],
        "heldBack": ["type": "object", "description": "flow instances whose trigger filter held the event back, with the reason"],
        "failures": ["type": "object", "description": "flow instances whose run could not be queued, with the error"],
    ])

    /// A subscription as the API shows it.
    static let subscriptionSchema = RecordJSON.schema([
        "appEventTypeKey": ["type": "string"], "appEventTypeId": ["type": ["string", "null"]], "tenantId": ["type": "string"],
        "flowInstanceIds": ["type": "array", "items": ["type": "string"]],
    ])

    /// An event or subscription as the API shows it.
    static func json(_ record: Record) -> JSONValue { RecordJSON.object(record) }

    /// The routes.
    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        let tag = "App events"
        let typeFilters: [APIRoute.Parameter] = [
            .query("appEventTypeKey", ["type": "string"], "only this type's"), .query("appEventTypeId", ["type": "string"], "only this type's"),
            .query("customerId", ["type": "string"], "only this customer's (its id or internalId; admins)"),
        ]
        return [
            APIRoute(
                method: .get, path: "/app-events", access: .any, operationID: "listAppEvents",
                summary: "List received app events with the flow runs each started, oldest first (order=newest for newest first)", tag: tag,
                parameters: APIRoute.Parameter.orderedList + typeFilters
                    + [.query("status", ["type": "string", "enum": statuses], "only events in this state")],
                requestSchema: nil, responseSchema: RecordJSON.listSchema(eventSchema), successStatus: 200
            ) { request throws(SwitchyardError) in
                var fields: [String: String?] = [:]
                if let status = request.query["status"] {
                    guard AppEventRecord.Status(rawValue: status) != nil else {
                        let names = AppEventRecord.Status.allCases.map(\.rawValue).joined(separator: ", ")
                        throw SwitchyardError(.badRequest, "status must be one of \(names)", data: ["status": "unknown status"])
                    }
                    fields["status"] = status
                }
                return try await list(.appEvents, request, deps, fields: fields)
            },
            APIRoute(
                method: .get, path: "/app-events/{id}", access: .any, operationID: "getAppEvent",
                summary: "Get a received app event: its payload, tenant, status and the flow runs it started", tag: tag,
                parameters: [.path("id", "the event's id")], requestSchema: nil, responseSchema: eventSchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                json(try await get(.appEvents, "app event", request, deps))
            },
            APIRoute(
                method: .get, path: "/app-event-subscriptions", access: .any, operationID: "listAppEventSubscriptions",
                summary: "List tenants' subscriptions to app event types (kept by their enabled flow instances)", tag: tag,
                parameters: APIRoute.Parameter.orderedList + typeFilters, requestSchema: nil,
                responseSchema: RecordJSON.listSchema(subscriptionSchema), successStatus: 200
            ) { request throws(SwitchyardError) in
                try await list(.appEventSubscriptions, request, deps, fields: [:])
            },
            APIRoute(
                method: .get, path: "/app-event-subscriptions/{id}", access: .any, operationID: "getAppEventSubscription",
                summary: "Get a tenant's subscription to an app event type", tag: tag,
                parameters: [.path("id", "the subscription's id")], requestSchema: nil, responseSchema: subscriptionSchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                json(try await get(.appEventSubscriptions, "app event subscription", request, deps))
            },
        ]
    }

    /// A page of events or subscriptions: a tenant's own only (an event refused before its
    /// tenant was known belongs to no tenant, and only admins see it).
    private static func list(
        _ kind: RecordKind, _ request: APIRequest, _ deps: APIDependencies, fields: [String: String?]
    ) async throws(SwitchyardError) -> JSONValue {
        let query = try ListQuery(request.query)
        var fields = fields
        if let key = request.query["appEventTypeKey"] { fields["appEventTypeKey"] = key }
        let tenant =
            request.caller.isAdmin ? try await CustomerRoutes.filterID(request.query["customerId"], request, deps) : request.caller.tenantID
        // Both kinds are children of their type.
        let filter = RecordFilter(parentID: request.query["appEventTypeId"], tenantID: tenant, documentFields: fields)
        let page = try await deps.records.list(
            kind, scope: request.caller.scope, filter: query.filter(filter), limit: query.limit, cursor: query.cursor)
        return RecordJSON.list(page, json)
    }

    /// One event or subscription the caller may see.
    private static func get(
        _ kind: RecordKind, _ what: String, _ request: APIRequest, _ deps: APIDependencies
    ) async throws(SwitchyardError) -> Record {
        let id = request.path("id")
        let record = try await deps.records.get(kind, id: id, scope: request.caller.scope)
        guard request.caller.isAdmin || record.tenantID == request.caller.tenantID else {
            throw SwitchyardError(.notFound, "\(what) \(id) not found")
        }
        return record
    }
}
