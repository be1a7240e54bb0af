import Foundation
import Logging
import SwitchyardCore
import SwitchyardStore

/// Starts flow runs: the run row (`queued`, with the instance's effective nodes) and its job on
/// the queued queue commit in one transaction, so there is never a run without a job or a job
/// without a run. The job carries the connection, so per-connection running caps and queue
/// bounds apply (`ENABLE_LIMITS`).
package struct FlowLauncher: Sendable {
    let records: any RecordStore
    let jobs: any JobStore
    let webhooks: WebhookNotifier
    let limits: JobLimitSettings?
    let logger: Logger

    /// Creates a launcher.
    package init(records: any RecordStore, jobs: any JobStore, webhooks: WebhookNotifier, limits: JobLimitSettings?, logger: Logger) {
        self.records = records
        self.jobs = jobs
        self.webhooks = webhooks
        self.limits = limits
        self.logger = logger
    }

    /// What started a run.
    package struct Start: Sendable {
        /// The trigger type (`api-trigger`, `schedule-trigger`, …).
        package var trigger: String
        /// The run's input (the trigger node's output).
        package var input: JSONValue
        /// A run id chosen by the caller (scheduled runs use the job's), or `nil` for a new one.
        package var runID: String?
        /// The run that started this one with a `run-flow` node.
        package var parentRunID: String?
        /// The failed or stopped run this one retries.
        package var retryOf: String?

        /// Describes a start.
        package init(trigger: String, input: JSONValue, runID: String? = nil, parentRunID: String? = nil, retryOf: String? = nil) {
            self.trigger = trigger
            self.input = input
            self.runID = runID
            self.parentRunID = parentRunID
            self.retryOf = retryOf
        }
    }

    /// Queues a run of a flow instance.
    /// - Throws: `bad_request` when the instance's nodes are not a valid flow, `conflict` when the
    ///   instance is archived, `rate_limit_exceeded` when the connection's queue is full.
    package func launch(_ instance: Element, start: Start) async throws(SwitchyardError) -> Record {
        let (run, scope) = try await runRecord(instance, start: start)
        // The connection rides along so the worker reads it while it takes the run.
        var args: [String: JSONValue] = [
            "runId": .string(run.id ?? ""), "workspaceId": .string(scope.workspaceID), "tenantId": .string(scope.tenantID ?? ""),
        ]
        if let connectionID = instance.connectionID { args["connectionId"] = .string(connectionID) }
        let job = NewJob(
            kind: FlowRunRecord.jobKind, queue: .queued, args: .object(args),
            maxAttempts: 10, workspaceID: scope.workspaceID, tenantID: scope.tenantID, connectionID: instance.connectionID
        )
        let stored: Record
        if limits == nil {
            // Nothing to check first: one statement stores both.
            stored = try await records.insert(run, scope: scope, enqueueing: job)
        } else {
            let results = try await records.apply([.insert(run, scope: scope), .enqueue(job, limits: limits)])
            guard let first = results.first ?? nil else { throw SwitchyardError(.internal, "storing the flow run returned nothing") }
            stored = first
        }
        await webhooks.notify("flowRun.queued", workspaceID: scope.workspaceID, tenantID: scope.tenantID, data: FlowRunRecord.event(stored))
        return stored
    }

    /// Stores a queued run whose job already exists (a schedule's tick runs it).
    package func create(_ instance: Element, start: Start) async throws(SwitchyardError) -> Record {
        let (run, scope) = try await runRecord(instance, start: start)
        let stored = try await records.insert(run, scope: scope)
        await webhooks.notify("flowRun.queued", workspaceID: scope.workspaceID, tenantID: scope.tenantID, data: FlowRunRecord.event(stored))
        return stored
    }

    /// A new run's row: `queued`, with the instance's effective nodes and parameters.
    private func runRecord(_ instance: Element, start: Start) async throws(SwitchyardError) -> (NewRecord, StoreScope) {
        guard instance.record.archivedAt == nil else { throw SwitchyardError(.conflict, "flow instance \(instance.record.id) is archived") }
        let scope = StoreScope.tenant(instance.record.tenantID ?? "", in: instance.record.workspaceID)
        var cache: [String: Record] = [:]
        let (content, _) = try await instance.effective(records: records, scope: scope, cache: &cache)
        _ = try FlowGraph(content["nodes"])
        var document: [String: JSONValue] = [
            "flowInstanceId": .string(instance.record.id), "flowKey": instance.record.key.map { .string($0) } ?? .null,
            "flowId": .string(instance.record.parentID ?? instance.record.id), "connectionId": instance.connectionID.map { .string($0) } ?? .null,
            "integrationId": instance.integrationID.map { .string($0) } ?? .null, "status": .string(FlowRunRecord.Status.queued.rawValue),
            "trigger": .string(start.trigger), "input": start.input, "parameters": instance.settings["parameters"] ?? [:], "nodes": content["nodes"] ?? [:],
            "queuedAt": FlowRunRecord.time(StoreClock.now()),
        ]
        if let parent = start.parentRunID { document["parentRunId"] = .string(parent) }
        if let retried = start.retryOf { document["retryOf"] = .string(retried) }
        let id = start.runID ?? UUID().uuidString.lowercased()
        return (NewRecord(kind: .flowRuns, id: id, tenantID: scope.tenantID, parentID: instance.record.id, document: .object(document)), scope)
    }

    /// Queues a run of every enabled instance of a connection whose trigger is `trigger` and
    /// whose trigger config `accepts` the event.
    /// - Returns: The runs queued.
    package func launchMatching(
        connection: Record, trigger: FlowNode.TriggerKind, input: JSONValue, accepts: @Sendable ([String: JSONValue]) -> Bool
    ) async throws(SwitchyardError) -> [Record] {
        let scope = StoreScope.tenant(connection.tenantID ?? "", in: connection.workspaceID)
        let filter = RecordFilter(documentFields: ["layer": ElementLayer.instance.rawValue, "connectionId": connection.id])
        return try await launchEach(scope: scope, filter: filter, trigger: trigger, input: input) { _, node in accepts(node.config) }
    }

    /// Queues a run of every enabled instance of a tenant that descends from flow `flowID` and
    /// starts with an app event trigger.
    /// - Returns: The runs queued.
    package func launchAppEvent(flowID: String, scope: StoreScope, input: JSONValue) async throws(SwitchyardError) -> [Record] {
        let filter = RecordFilter(tenantID: scope.tenantID, documentFields: ["layer": ElementLayer.instance.rawValue])
        var parents: [String: String?] = [:]
        return try await launchEach(scope: scope, filter: filter, trigger: .appEvent, input: input) { element, _ in
            guard let parentID = element.record.parentID else { return false }
            if parentID == flowID { return true }
            if parents[parentID] == nil { parents[parentID] = .some((try? await records.get(.flows, id: parentID, scope: scope))?.parentID) }
            return parents[parentID] == .some(flowID)
        }
    }

    /// The enabled flow instances of a connection whose trigger is one of `triggers`, with their
    /// trigger nodes (read once, for a pull that starts runs for many events).
    package func listeners(connection: Record, triggers: Set<FlowNode.TriggerKind>) async throws(SwitchyardError) -> [(instance: Element,
        trigger: FlowNode)] {
        let scope = StoreScope.tenant(connection.tenantID ?? "", in: connection.workspaceID)
        let filter = RecordFilter(documentFields: ["layer": ElementLayer.instance.rawValue, "connectionId": connection.id])
        var found: [(Element, FlowNode)] = []
        var cache: [String: Record] = [:]
        for record in try await records.all(.flows, scope: scope, filter: filter) {
            let element = Element(record)
            guard FlowInstances.isEnabled(element) else { continue }
            let content = try await element.effective(records: records, scope: scope, cache: &cache).content
            guard let node = try? FlowGraph(content["nodes"]).trigger, case .trigger(let kind) = node.kind, triggers.contains(kind) else { continue }
            found.append((element, node))
        }
        return found
    }

    private func launchEach(
        scope: StoreScope, filter: RecordFilter, trigger: FlowNode.TriggerKind, input: JSONValue,
        matches: (Element, FlowNode) async -> Bool
    ) async throws(SwitchyardError) -> [Record] {
        var runs: [Record] = []
        var cache: [String: Record] = [:]
        for record in try await records.all(.flows, scope: scope, filter: filter) {
            let element = Element(record)
            guard FlowInstances.isEnabled(element) else { continue }
            let content = try await element.effective(records: records, scope: scope, cache: &cache).content
            guard let node = try? FlowGraph(content["nodes"]).trigger, node.kind == .trigger(trigger), await matches(element, node) else { continue }
            runs.append(try await launch(element, start: Start(trigger: trigger.rawValue, input: input)))
        }
        return runs
    }
}
