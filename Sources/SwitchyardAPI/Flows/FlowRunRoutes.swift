import HTTPTypes
import SwitchyardCore
import SwitchyardEngine
import SwitchyardHTTP
import SwitchyardStore

/// Running flows: `POST /flows/{selector}/run` queues a run of the flow's instance for a
/// connection (creating the instance on first use); `/flow-runs` lists runs, shows one with its
/// node runs, and stops one (a queued run never starts, a running one ends at the next node).
enum FlowRunRoutes {
    static let statuses: JSONValue = .array(FlowRunRecord.Status.allCases.map { .string($0.rawValue) })

    static let runSchema = RecordJSON.schema([
        "flowInstanceId": ["type": "string"], "flowId": ["type": "string"], "flowKey": ["type": ["string", "null"]],
        "connectionId": ["type": ["string", "null"]],
        "integrationId": ["type": ["string", "null"]], "tenantId": ["type": "string"], "status": ["type": "string", "enum": statuses],
        "trigger": ["type": "string"],
        "input": [:], "output": [:], "error": ["type": "object"], "parameters": [:], "queuedAt": ["type": "string"], "startedAt": ["type": "string"],
        "finishedAt": ["type": "string"], "stopRequested": ["type": "boolean"], "parentRunId": ["type": "string"], "nodeRuns": ["type": "array"],
        "retryOf": ["type": "string", "description": "the run this one retries"],
    ])

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .post, path: "/flows/{selector}/run", access: .any, operationID: "runFlow",
                summary: "Queue a run of a flow for a connection (its instance is created on first use); the run and its job commit together",
                tag: "Flows",
                parameters: [.path("selector", "the flow's id or key (of the connection's integration, else universal)")],
                requestSchema: RunBody.schema, responseSchema: runSchema, successStatus: 201
            ) { request throws(SwitchyardError) in
                let body = try RunBody(request)
                let instances = try deps.require(deps.flowInstances)
                let connection = try await connection(body.connectionID, flow: request.path("selector"), request, deps)
                let instance = try await instances.instance(
                    of: request.path("selector"), connection: connection, instanceKey: body.instanceKey,
                    scope: ConnectionRoutes.ownerScope(connection, request)
                )
                return try await launch(instance, input: body.input, launcher: try deps.require(deps.flowLauncher))
            },
            APIRoute(
                method: .get, path: "/flow-runs", access: .any, operationID: "listFlowRuns",
                summary: "List flow runs, oldest first (order=newest for newest first)", tag: "Flow runs",
                parameters: APIRoute.Parameter.orderedList + [
                    .query("flowInstanceId", ["type": "string"], "only this instance's runs"),
                    .query("connectionId", ["type": "string"], "only this connection's runs"),
                    .query("flowId", ["type": "string"], "only runs of this flow (the flow's id, as flowId in the run)"),
                    .query("customerId", ["type": "string"], "only this customer's runs (its id or internalId)"),
                    .query("status", ["type": "string", "enum": statuses], "only runs in this state"),
                ],
                requestSchema: nil, responseSchema: RecordJSON.listSchema(runSchema), successStatus: 200
            ) { request throws(SwitchyardError) in
                let query = try ListQuery(request.query)
                var fields: [String: String?] = [:]
                if let value = request.query["connectionId"] { fields["connectionId"] = value }
                if let value = request.query["flowId"] { fields["flowId"] = value }
                let tenant = try await CustomerRoutes.filterID(request.query["customerId"], request, deps)
                if let value = request.query["status"] {
                    guard FlowRunRecord.Status(rawValue: value) != nil else {
                        throw SwitchyardError(
                            .badRequest, "status must be one of \(FlowRunRecord.Status.allCases.map(\.rawValue).joined(separator: ", "))",
                            data: ["status": "unknown status"])
                    }
                    fields["status"] = value
                }
                let page = try await deps.records.list(
                    .flowRuns, scope: request.caller.scope,
                    filter: query.filter(RecordFilter(parentID: request.query["flowInstanceId"], tenantID: tenant, documentFields: fields)),
                    limit: query.limit, cursor: query.cursor
                )
                return RecordJSON.list(page) { json($0) }
            },
            APIRoute(
                method: .get, path: "/flow-runs/{id}", access: .any, operationID: "getFlowRun",
                summary: "Get a flow run with its node runs (input, output, logs, error, timings of each node)", tag: "Flow runs",
                parameters: [.path("id", "the run's id")], requestSchema: nil, responseSchema: runSchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                let run = try await deps.records.get(.flowRuns, id: request.path("id"), scope: request.caller.scope)
                let nodeRuns = try await deps.records.all(.nodeRuns, scope: request.caller.scope, filter: RecordFilter(parentID: run.id))
                return json(run, extra: ["nodeRuns": .array(nodeRuns.map { RecordJSON.object($0) })])
            },
            APIRoute(
                method: .post, path: "/flow-runs/{id}/stop", access: .any, operationID: "stopFlowRun",
                summary: "Stop a flow run: a queued one never starts, a running one stops at the next node boundary", tag: "Flow runs",
                parameters: [.path("id", "the run's id")], requestSchema: nil, responseSchema: runSchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                try await stop(request.path("id"), request, deps)
            },
            APIRoute(
                method: .post, path: "/flow-runs/{id}/retry", access: .admin, operationID: "retryFlowRun",
                summary: "Run a failed or stopped run's flow instance again with the same input; the new run records retryOf", tag: "Flow runs",
                parameters: [.path("id", "the failed or stopped run's id")], requestSchema: nil, responseSchema: runSchema, successStatus: 201
            ) { request throws(SwitchyardError) in
                try await retry(request.path("id"), request, deps)
            },
        ]
    }

    /// Queues a new run of a failed or stopped run's instance with the run's input.
    /// - Throws: `conflict` for a run that has not ended or that succeeded, or whose instance is
    ///   disabled or gone.
    static func retry(_ id: String, _ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        let launcher = try deps.require(deps.flowLauncher)
        let run = try await deps.records.get(.flowRuns, id: id, scope: request.caller.scope)
        let status = FlowRunRecord.status(run)
        guard status == .failed || status == .stopped else {
            let state = status?.rawValue ?? "unknown"
            let problem = status == .completed ? "it succeeded" : "it is still \(state); stop it first or wait for it to end"
            throw SwitchyardError(
                .conflict, "flow run \(id) cannot be retried: \(problem) (only failed or stopped runs can be)", data: ["status": "is \(state)"])
        }
        let scope = StoreScope.tenant(run.tenantID ?? "", in: run.workspaceID)
        guard let instanceID = run.parentID ?? run.document["flowInstanceId"]?.stringValue,
            let record = try? await deps.records.get(.flows, id: instanceID, scope: scope), record.archivedAt == nil
        else {
            throw SwitchyardError(.conflict, "flow run \(id)'s flow instance no longer exists", data: ["flowInstanceId": "is archived or gone"])
        }
        let instance = Element(record)
        guard FlowInstances.isEnabled(instance) else {
            throw SwitchyardError(.conflict, "flow instance \(record.id) is disabled; enable it to run it", data: ["enabled": "is false"])
        }
        let start = FlowLauncher.Start(
            trigger: run.document["trigger"]?.stringValue ?? FlowNode.TriggerKind.api.rawValue, input: run.document["input"] ?? [:], retryOf: run.id)
        return json(try await launcher.launch(instance, start: start))
    }

    static func json(_ run: Record, extra: [String: JSONValue] = [:]) -> JSONValue {
        var members = extra
        if let tenant = run.tenantID { members["tenantId"] = .string(tenant) }
        var record = run
        // The node snapshot is how the run works, not what it shows.
        if case .object(var document) = record.document {
            document["nodes"] = nil
            record.document = .object(document)
        }
        return RecordJSON.object(record, extra: members)
    }

    /// Queues a run of an instance (refused while it is disabled).
    static func launch(_ instance: Element, input: JSONValue, launcher: FlowLauncher) async throws(SwitchyardError) -> JSONValue {
        guard FlowInstances.isEnabled(instance) else {
            throw SwitchyardError(.conflict, "flow instance \(instance.record.id) is disabled; enable it to run it", data: ["enabled": "is false"])
        }
        return json(try await launcher.launch(instance, start: .init(trigger: FlowNode.TriggerKind.api.rawValue, input: input)))
    }

    /// The connection a run is for: the one named, or (for a tenant) its connection to the
    /// flow's integration — the integration of the flow an id names, else the first of the
    /// tenant's connections whose integration has a flow with this key, else (a universal flow)
    /// the tenant's only connection.
    static func connection(
        _ id: String?, flow selector: String, _ request: APIRequest, _ deps: APIDependencies
    ) async throws(SwitchyardError) -> Record {
        if let id { return try await ConnectionRoutes.live(id, request, deps, includeArchived: false) }
        let scope = request.caller.scope
        // A flow that does not exist is not found, whoever asks and however.
        let flow = try? await deps.records.get(.flows, id: selector, scope: scope)
        if flow == nil, try await deps.records.list(.flows, scope: scope, filter: RecordFilter(key: selector), limit: 1, cursor: nil).items.isEmpty {
            throw SwitchyardError(.notFound, "flow \(selector) not found")
        }
        let missing = SwitchyardError(.badRequest, "a flow runs for a connection; give connectionId", data: ["connectionId": "is required"])
        guard request.caller.tenantID != nil else { throw missing }
        let connections = try await deps.records.list(.connections, scope: scope, filter: RecordFilter(), limit: 100, cursor: nil).items
        if let flow {
            let integrationID = Element(flow).integrationID
            if let match = connections.first(where: { $0.parentID == integrationID }) { return match }
            if integrationID == nil, connections.count == 1 { return connections[0] }
            throw missing
        }
        for connection in connections {
            let filter = RecordFilter(
                key: selector, documentFields: ["layer": ElementLayer.integration.rawValue, "integrationId": connection.parentID ?? ""])
            if try await deps.records.list(.flows, scope: scope, filter: filter, limit: 1, cursor: nil).items.first != nil { return connection }
        }
        if connections.count == 1 { return connections[0] }
        throw missing
    }

    /// Stops a run. A queued run is marked stopped and its job cancelled; a running one is asked
    /// to stop (its worker ends it at the next node boundary); a finished one is answered as is.
    static func stop(_ id: String, _ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> JSONValue {
        let run = try await deps.records.get(.flowRuns, id: id, scope: request.caller.scope)
        let scope = run.tenantID.map { StoreScope.tenant($0, in: request.caller.workspaceID) } ?? request.caller.scope
        let now = StoreClock.now()
        let updated = try await deps.records.update(.flowRuns, id: id, scope: scope, expectedRevision: nil) { record in
            guard var members = record.document.objectValue, let status = FlowRunRecord.status(record), !status.isFinal else { return }
            members["stopRequested"] = true
            // A queued run, or one asleep in the queue (no worker holds it), ends now.
            if status == .queued || members["sleeping"] == .bool(true) {
                members["sleeping"] = nil
                members["status"] = .string(FlowRunRecord.Status.stopped.rawValue)
                members["finishedAt"] = .string(RecordJSON.timestamp(now))
            }
            record.document = .object(members)
        }
        // Its job finds the run stopped when it starts, and ends without running a node.
        if FlowRunRecord.status(run) != .stopped, FlowRunRecord.status(updated) == .stopped, let webhooks = deps.webhooks {
            await webhooks.notify("flowRun.stopped", workspaceID: scope.workspaceID, tenantID: scope.tenantID, data: FlowRunRecord.event(updated))
        }
        return json(updated)
    }
}
