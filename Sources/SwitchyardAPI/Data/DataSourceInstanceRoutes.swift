import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// `/data-source-instances`: data sources at a connection's instance layer, with their
/// settings — `enabled`, and `pullUpdatesIntervalSeconds` / `fullSyncIntervalSeconds` when the
/// instance sets its own — and their sync status (`sync`: the last success, the last error, the
/// pull in progress and the records seen), which is what a connect UI shows. Creating one
/// starts its first (full) pull; `POST …/pull` queues one now.
enum DataSourceInstanceRoutes {
    static let interval: JSONValue = ["type": "integer", "minimum": 1, "maximum": 31_536_000]
    /// The settings and status an instance shows beside its content.
    static let settingsSchema: [String: JSONValue] = [
        "enabled": ["type": "boolean"], "pullUpdatesIntervalSeconds": interval, "fullSyncIntervalSeconds": interval,
        "sync": [
            "type": "object",
            "properties": [
                "recordsSeen": ["type": "integer"], "lastSuccess": ["type": "object"], "lastError": ["type": "object"],
                "inProgress": ["type": "object"],
            ],
        ],
    ]
    static let createBody: JSONValue = [
        "type": "object", "additionalProperties": false, "required": ["connectionId"],
        "properties": [
            "dataSourceKey": ["type": "string", "minLength": 1, "maxLength": 200], "dataSourceId": ["type": "string", "minLength": 1,
                "maxLength": 200],
            "connectionId": ["type": "string", "minLength": 1, "maxLength": 200], "instanceKey": ["type": "string", "minLength": 1, "maxLength": 200],
            "enabled": ["type": "boolean"], "pullUpdatesIntervalSeconds": interval, "fullSyncIntervalSeconds": interval,
        ],
        "anyOf": [["required": ["dataSourceKey"]], ["required": ["dataSourceId"]]],
    ]
    static let patchBody: JSONValue = [
        "type": "object", "additionalProperties": false,
        "properties": ["enabled": ["type": "boolean"], "pullUpdatesIntervalSeconds": interval, "fullSyncIntervalSeconds": interval],
    ]
    static let pullBody: JSONValue = [
        "type": "object", "additionalProperties": false, "properties": ["mode": ["type": "string", "enum": ["incremental", "full"]]],
    ]
    static let pullQueued: JSONValue = [
        "type": "object", "required": ["jobId", "alreadyQueued"], "properties": ["jobId": ["type": "integer"], "alreadyQueued": ["type": "boolean"]],
    ]

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        let item = ElementRoutes.schema(.dataSources)
        let id = APIRoute.Parameter.path("id", "the data source instance's id")
        return [
            APIRoute(
                method: .get, path: "/data-source-instances", access: .any, operationID: "listDataSourceInstances",
                summary: "List data source instances with their sync status", tag: "Data sources",
                parameters: APIRoute.Parameter.listParameters + [
                    .query("connectionId", ["type": "string"], "only this connection's instances"),
                    .query("dataSourceKey", ["type": "string"], "only instances of this data source key"),
                    .query("customerId", ["type": "string"], "only this customer's instances (its id or internalId)"),
                ],
                requestSchema: nil, responseSchema: RecordJSON.listSchema(item), successStatus: 200
            ) { request throws(SwitchyardError) in
                try await list(request, deps)
            },
            APIRoute(
                method: .post, path: "/data-source-instances", access: .any, operationID: "createDataSourceInstance",
                summary: "Create a data source's instance for a connection; its first pull starts", tag: "Data sources",
                parameters: [], requestSchema: createBody, responseSchema: item, successStatus: 201
            ) { request throws(SwitchyardError) in
                try await create(request, deps)
            },
            APIRoute(
                method: .get, path: "/data-source-instances/{id}", access: .any, operationID: "getDataSourceInstance",
                summary: "Get a data source instance with its sync status", tag: "Data sources",
                parameters: [id], requestSchema: nil, responseSchema: item, successStatus: 200
            ) { request throws(SwitchyardError) in
                try await json(try await instance(request.path("id"), request, deps), request, deps)
            },
            APIRoute(
                method: .patch, path: "/data-source-instances/{id}", access: .any, operationID: "updateDataSourceInstance",
                summary: "Enable or disable a data source instance, or set its pull intervals", tag: "Data sources",
                parameters: [id], requestSchema: patchBody, responseSchema: item, successStatus: 200
            ) { request throws(SwitchyardError) in
                try await update(request, deps)
            },
            APIRoute(
                method: .delete, path: "/data-source-instances/{id}", access: .any, operationID: "archiveDataSourceInstance",
                summary: "Archive a data source instance; its pulls stop", tag: "Data sources",
                parameters: [id], requestSchema: nil, responseSchema: item, successStatus: 200
            ) { request throws(SwitchyardError) in
                let element = try await instance(request.path("id"), request, deps)
                let scope = owner(element, request)
                let record = try await deps.records.archive(.dataSources, id: element.record.id, scope: scope)
                try await deps.require(deps.dataSources).syncSchedules(Element(record), scope: scope)
                await deps.subscriptions?.sync(Element(record))
                // What the instance had seen goes with it.
                try await deps.dataRecords?.removeAll(source: record.id)
                return try await json(Element(record), request, deps)
            },
            APIRoute(
                method: .post, path: "/data-source-instances/{id}/pull", access: .any, operationID: "pullDataSourceInstance",
                summary: "Queue a pull of a data source instance now (incremental by default)", tag: "Data sources",
                parameters: [id], requestSchema: pullBody, responseSchema: pullQueued, successStatus: 202
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body ?? [:], allowed: ["mode"])
                let modeName = reader.string("mode") ?? DataSourcePull.Mode.incremental.rawValue
                let mode = DataSourcePull.Mode(rawValue: modeName)
                if mode == nil { reader.reject("mode", "must be incremental or full") }
                try reader.finish()
                let element = try await instance(request.path("id"), request, deps)
                guard DataSourceInstances.isEnabled(element) else { throw SwitchyardError(.conflict,
                    "data source instance \(element.record.id) is disabled") }
                let queued = try await deps.require(deps.dataSources).queuePull(element, mode: mode ?? .incremental)
                return ["jobId": .number(Double(queued.jobID)), "alreadyQueued": .bool(queued.existing)]
            },
        ]
    }

    /// A live data source instance the caller may see.
    static func instance(_ id: String, _ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> Element {
        let record = try await deps.records.get(.dataSources, id: id, scope: request.caller.scope)
        let element = Element(record)
        guard element.layer == .instance, record.archivedAt == nil else { throw SwitchyardError(.notFound, "data source instance \(id) not found") }
        return element
    }

    /// An instance as the API shows it: its content and settings, and `sync`.
    static func json(_ element: Element, _ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        var cache: [String: Record] = [:]
        var body = try await ElementResolver(type: .dataSources, records: deps.records, scope: request.caller.scope).json(element, cache: &cache)
        if element.record.archivedAt == nil, let index = deps.dataRecords, let instances = deps.dataSources, case .object(var members) = body {
            members["sync"] = try await instances.status(of: element, index: index, scope: owner(element, request))
            body = .object(members)
        }
        return body
    }

    private static func owner(_ element: Element, _ request: APIRequest) -> StoreScope {
        element.record.tenantID.map { StoreScope.tenant($0, in: request.caller.workspaceID) } ?? request.caller.scope
    }

    private static func list(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        let query = try ListQuery(request.query)
        let tenant = try await CustomerRoutes.filterID(request.query["customerId"], request, deps)
        var fields: [String: String?] = ["layer": ElementLayer.instance.rawValue]
        if let connectionID = request.query["connectionId"] { fields["connectionId"] = connectionID }
        let filter = query.filter(RecordFilter(key: request.query["dataSourceKey"], tenantID: tenant, documentFields: fields))
        let page = try await deps.records.list(.dataSources, scope: request.caller.scope, filter: filter, limit: query.limit, cursor: query.cursor)
        var items: [JSONValue] = []
        for record in page.items { items.append(try await json(Element(record), request, deps)) }
        var members: [String: JSONValue] = ["items": .array(items)]
        if let cursor = page.cursor { members["cursor"] = .string(cursor) }
        return .object(members)
    }

    private static func create(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        var reader = try BodyReader(
            request.body,
            allowed: ["dataSourceKey", "dataSourceId", "connectionId", "instanceKey", "enabled", "pullUpdatesIntervalSeconds",
                "fullSyncIntervalSeconds"])
        let key = reader.string("dataSourceKey")
        let parentID = reader.string("dataSourceId")
        let connectionID = reader.string("connectionId", required: true)
        let instanceKey = reader.string("instanceKey")
        var settings: [String: JSONValue] = ["enabled": .bool(reader.bool("enabled") ?? true)]
        for name in ["pullUpdatesIntervalSeconds", "fullSyncIntervalSeconds"] {
            if let seconds = reader.seconds(name) { settings[name] = .number(Double(seconds)) }
        }
        if key == nil, parentID == nil { reader.reject("dataSourceKey", "give dataSourceKey or dataSourceId") }
        try reader.finish()
        let instances = try deps.require(deps.dataSources)
        let connection = try await ConnectionRoutes.live(connectionID ?? "", request, deps, includeArchived: false)
        let scope = ConnectionRoutes.ownerScope(connection, request)
        let parent: Record?
        if let parentID {
            parent = try? await deps.records.get(.dataSources, id: parentID, scope: scope)
        } else {
            parent = try await instances.parent(key: key ?? "", integrationID: connection.parentID, scope: scope)
        }
        guard let parent, Element(parent).layer != .instance, parent.archivedAt == nil else {
            let field = parentID == nil ? "dataSourceKey" : "dataSourceId"
            throw SwitchyardError(
                .notFound, "no data source \(parentID ?? key ?? "") for the connection's integration or at the universal layer",
                data: [field: "no such data source"])
        }
        let element = try await instances.create(parent: parent, connection: connection, instanceKey: instanceKey, settings: settings)
        await deps.subscriptions?.sync(element)
        return try await json(element, request, deps)
    }

    private static func update(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        var reader = try BodyReader(request.body ?? [:], allowed: ["enabled", "pullUpdatesIntervalSeconds", "fullSyncIntervalSeconds"])
        let enabled = reader.bool("enabled")
        var intervals: [String: JSONValue] = [:]
        for name in ["pullUpdatesIntervalSeconds", "fullSyncIntervalSeconds"] {
            if let seconds = reader.seconds(name) { intervals[name] = .number(Double(seconds)) }
        }
        try reader.finish()
        let changes = intervals
        let element = try await instance(request.path("id"), request, deps)
        let scope = owner(element, request)
        let record = try await deps.records.update(.dataSources, id: element.record.id, scope: scope, expectedRevision: nil) { record in
            var current = Element(record)
            if let enabled { current.settings["enabled"] = .bool(enabled) }
            for (name, value) in changes { current.settings[name] = value }
            record.document = current.withSettings(current.settings)
        }
        let updated = Element(record)
        try await deps.require(deps.dataSources).syncSchedules(updated, scope: scope)
        await deps.subscriptions?.sync(updated)
        return try await json(updated, request, deps)
    }
}

extension BodyReader {
    /// A whole number of seconds from 1 to a year.
    mutating func seconds(_ name: String) -> Int? {
        switch members(name) {
        case nil: return nil
        case .number(let value)? where value == value.rounded() && (1...31_536_000).contains(value): return Int(value)
        default:
            reject(name, "must be a whole number of seconds from 1 to 31536000")
            return nil
        }
    }
}
