import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// `POST /actions/{selector}/run` runs an action synchronously for a connection and answers its
/// output (or a typed error); `/action-run-logs` lists every run. The action is the most
/// specific one for the connection: its instance, else its integration's, else the universal
/// one with that key.
enum ActionRunRoutes {
    static let logSchema = RecordJSON.schema([
        "actionId": ["type": "string"], "actionKey": ["type": "string"], "actionType": ["type": "string"], "connectionId": ["type": "string"],
        "integrationId": ["type": "string"], "status": ["type": "string", "enum": ["success", "error"]], "input": [:], "output": [:],
        "error": ["type": "object"], "startedAt": ["type": "string"], "durationMs": ["type": "number"],
    ])

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .post, path: "/actions/{selector}/run", access: .any, operationID: "runAction",
                summary: "Run an action for a connection, synchronously; every run is logged in /action-run-logs", tag: "Actions",
                parameters: [
                    .path("selector", "the action's id or key"),
                    .query("integrationKey", ["type": "string"], "the integration whose action a key names"),
                ],
                requestSchema: RunBody.schema,
                responseSchema: [
                    "type": "object", "properties": ["output": [:], "actionRunLogId": ["type": "string"]], "required": ["output", "actionRunLogId"],
                ],
                successStatus: 200
            ) { request throws(SwitchyardError) in
                try await run(request, deps)
            },
            APIRoute(
                method: .get, path: "/action-run-logs", access: .any, operationID: "listActionRunLogs", summary: "List action runs, oldest first",
                tag: "Logs",
                parameters: APIRoute.Parameter.listParameters + [
                    .query("actionId", ["type": "string"], "only this action's runs"),
                    .query("connectionId", ["type": "string"], "only runs for this connection"),
                ],
                requestSchema: nil, responseSchema: RecordJSON.listSchema(logSchema), successStatus: 200
            ) { request throws(SwitchyardError) in
                let query = try ListQuery(request.query)
                var fields: [String: String?] = [:]
                if let connectionID = request.query["connectionId"] { fields["connectionId"] = connectionID }
                let page = try await deps.records.list(
                    .actionRunLogs, scope: request.caller.scope,
                    filter: RecordFilter(parentID: request.query["actionId"], includeArchived: query.includeArchived, documentFields: fields),
                    limit: query.limit, cursor: query.cursor
                )
                return RecordJSON.list(page) { RecordJSON.object($0) }
            },
            APIRoute(
                method: .get, path: "/action-run-logs/{id}", access: .any, operationID: "getActionRunLog", summary: "Get one action run", tag: "Logs",
                parameters: [.path("id", "the log record's id")], requestSchema: nil, responseSchema: logSchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                RecordJSON.object(try await deps.records.get(.actionRunLogs, id: request.path("id"), scope: request.caller.scope))
            },
        ]
    }

    static func run(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        let body = try RunBody(request)
        let (connectionID, instanceKey, input) = (body.connectionID, body.instanceKey, body.input)
        let actions = try deps.require(deps.actions)
        var scope = request.caller.scope
        let connection: Record? = try await connectionID.asyncMap { id throws(SwitchyardError) in
            try await ConnectionRoutes.live(id, request, deps, includeArchived: false)
        }
        if let connection { scope = ConnectionRoutes.ownerScope(connection, request) }
        let resolver = ElementResolver(type: .actions, records: deps.records, scope: scope)
        let element = try await mostSpecific(
            request.path("selector"), connection: connection, instanceKey: instanceKey, query: request.query, resolver: resolver)
        var cache: [String: Record] = [:]
        let (content, _) = try await resolver.effective(element, cache: &cache)
        let name = element.record.key ?? element.record.id
        let action = try ActionDefinition(content: content, name: name)
        // Without connectionId, the tenant's connection to the action's integration.
        var target = connection
        if target == nil, action.kind.needsConnection, let integrationID = element.integrationID, request.caller.tenantID != nil {
            target = try await deps.records.list(.connections, scope: scope, filter: RecordFilter(parentID: integrationID), limit: 1, cursor: nil)
                .items.first
        }
        let started = Date()
        let clock = ContinuousClock.now
        var output: JSONValue?
        var failure: SwitchyardError?
        do throws(SwitchyardError) {
            output = try await actions.run(action, input: input, connectionID: target?.id, scope: scope)
        } catch {
            failure = error
        }
        let secrets = try await target.asyncMap { connection in await actions.secretValues(of: connection) } ?? []
        let log = try await ActionRunLog.write(
            .init(
                actionID: element.record.id, actionKey: element.record.key, actionType: action.kind.rawValue, connectionID: target?.id,
                integrationID: element.integrationID ?? target?.parentID, input: input, output: output, error: failure, startedAt: started,
                duration: ContinuousClock.now - clock
            ),
            secrets: secrets, records: deps.records, scope: scope
        )
        if var failure {
            failure.data["actionRunLogId"] = log.id
            throw failure
        }
        return ["output": output ?? .null, "actionRunLogId": .string(log.id)]
    }

    /// The action a selector names for a connection: an id as is; a key at the connection's
    /// instance layer, then its integration's, then the universal layer.
    static func mostSpecific(
        _ selector: String, connection: Record?, instanceKey: String?, query: [String: String], resolver: ElementResolver
    ) async throws(SwitchyardError) -> Element {
        guard let connection, let integrationID = connection.parentID else { return try await resolver.resolve(selector, query: query) }
        var attempts: [[String: String]] = [["connectionId": connection.id, "integrationId": integrationID], ["integrationId": integrationID], [:]]
        if let instanceKey { attempts[0]["instanceKey"] = instanceKey }
        var lastError = SwitchyardError(.notFound, "action \(selector) not found")
        for attempt in attempts {
            do {
                return try await resolver.resolve(selector, query: attempt)
            } catch where error.key == .notFound {
                lastError = error
            }
        }
        throw lastError
    }
}

extension Optional {
    /// `map` with an async, throwing transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws(SwitchyardError) -> T) async throws(SwitchyardError) -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
