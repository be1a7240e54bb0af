import Foundation
import Logging
import SwitchyardCore
import SwitchyardStore
import Synchronization

/// Runs flow runs, one job attempt at a time (decision 0012). The run walks its node snapshot
/// from the trigger; every node's result is stored as a node run before the next node starts,
/// and a run that was stopped ends at a node boundary (checked when the last check is
/// ``FlowExecution/stopCheckInterval`` old). A job that runs again (its worker
/// died, or it slept on a delay or sub-flow) picks up the stored results and goes on from
/// there: no node that completed runs again, and a node that had started but not finished runs
/// again only when it is idempotent.
package struct FlowRunner: Sendable {
    /// Runs, node runs, instances and connections.
    let records: any RecordStore
    /// Where schedules live.
    let jobs: any JobStore
    /// Runs the action nodes.
    let actions: ActionRunner
    /// Starts sub-flow runs and schedule ticks.
    let launcher: FlowLauncher
    /// Finds the instances of sub-flows and keeps schedules in step.
    let instances: FlowInstances
    /// Tells the SaaS about runs that start and end.
    let webhooks: WebhookNotifier
    /// `MAX_NODE_RUN_OUTPUT_SIZE_MB`, in bytes.
    let maxOutputBytes: Int
    let logger: Logger

    /// Creates a runner (``ConnectionServices/flowRunner(maxOutputBytes:logger:)`` builds one
    /// over a process's connections).
    /// - Parameter maxOutputBytes: `MAX_NODE_RUN_OUTPUT_SIZE_MB`, in bytes.
    package init(
        records: any RecordStore, jobs: any JobStore, actions: ActionRunner, launcher: FlowLauncher, instances: FlowInstances,
        webhooks: WebhookNotifier,
        maxOutputBytes: Int, logger: Logger
    ) {
        self.records = records
        self.jobs = jobs
        self.actions = actions
        self.launcher = launcher
        self.instances = instances
        self.webhooks = webhooks
        self.maxOutputBytes = maxOutputBytes
        self.logger = logger
    }

    /// How one attempt ended.
    package enum Step: Sendable, Equatable {
        /// The run is over, in this state.
        case finished(FlowRunRecord.Status)
        /// The run sleeps (a delay, a sub-flow it waits for) and goes on after this long.
        case sleep(Duration)
    }

    /// Runs a run's job: `{runId}` for a queued run, `{instanceId}` for a schedule's tick (the
    /// run is created first, with an id derived from the job, so a retried tick makes one run).
    /// - Throws: The store's errors (the job is retried and the run resumes).
    package func execute(args: JSONValue, jobID: Int64) async throws(SwitchyardError) -> Step {
        guard let workspaceID = args["workspaceId"]?.stringValue, let tenantID = args["tenantId"]?.stringValue else {
            throw SwitchyardError(.badRequest, "a flow run job needs workspaceId and tenantId")
        }
        let scope = StoreScope.tenant(tenantID, in: workspaceID)
        if let runID = args["runId"]?.stringValue {
            return try await execute(runID: runID, scope: scope, connectionHint: args["connectionId"]?.stringValue)
        }
        guard let instanceID = args["instanceId"]?.stringValue else { throw SwitchyardError(.badRequest, "a flow run job needs runId or instanceId") }
        let runID = "scheduled-\(jobID)"
        if (try? await records.get(.flowRuns, id: runID, scope: scope)) == nil {
            let instance: Element
            do {
                instance = Element(try await records.get(.flows, id: instanceID, scope: scope))
            } catch where error.key == .notFound {
                _ = try await jobs.deleteSchedule(FlowInstances.scheduleName(instanceID))
                return .finished(.stopped)
            }
            // An instance whose connection is gone (deleted or archived) runs no more.
            if let connectionID = instance.connectionID {
                let live: Bool
                do {
                    live = try await records.get(.connections, id: connectionID, scope: scope).archivedAt == nil
                } catch where error.key == .notFound {
                    live = false
                }
                guard live else {
                    _ = try await jobs.deleteSchedule(FlowInstances.scheduleName(instanceID))
                    return .finished(.stopped)
                }
            }
            // The schedule follows the instance as it is now (its parent may have changed); one
            // that should not fire any more is gone after this, and this tick makes no run.
            guard try await instances.syncSchedule(instance, scope: scope) else { return .finished(.stopped) }
            _ = try await launcher.create(
                instance,
                start: .init(
                    trigger: FlowNode.TriggerKind.schedule.rawValue, input: ["scheduledAt": FlowRunRecord.time(StoreClock.now())], runID: runID))
        }
        return try await execute(runID: runID, scope: scope)
    }

    /// Runs (or resumes) one run.
    /// - Parameter connectionHint: The run's connection as its job names it, read while the
    ///   run is taken (the run's own `connectionId` decides; a different one is read after).
    package func execute(runID: String, scope: StoreScope, connectionHint: String? = nil) async throws(SwitchyardError) -> Step {
        async let hinted = Self.connection(connectionHint, records: records, scope: scope)
        // One write takes the run: a queued run starts, a sleeping one wakes (a stop that came
        // while it slept already ended it), a running one (its worker died) is resumed as is.
        let taken = try await records.patch(
            RecordPatch(
                .flowRuns, id: runID, scope: scope,
                cases: [
                    .init(
                        when: ["status": .string(FlowRunRecord.Status.queued.rawValue)],
                        set: ["status": .string(FlowRunRecord.Status.running.rawValue), "startedAt": FlowRunRecord.time(StoreClock.now())]),
                    .init(when: ["status": .string(FlowRunRecord.Status.running.rawValue), "sleeping": true], set: ["sleeping": false]),
                ]),
            inserting: [])
        let run = taken.record
        guard let status = FlowRunRecord.status(taken.before) else { throw SwitchyardError(.internal, "flow run \(runID) has no status") }
        // Stopped while queued (the stop won the race with the worker): it never starts.
        if status.isFinal { return .finished(status) }
        let resumed = status == .running
        if !resumed {
            await webhooks.notify("flowRun.started", workspaceID: scope.workspaceID, tenantID: scope.tenantID, data: FlowRunRecord.event(run))
        }
        let graph: FlowGraph
        do {
            graph = try FlowGraph(run.document["nodes"])
        } catch {
            return try await finish(run, scope: scope, status: .failed, output: nil, error: FlowRunRecord.error(error, node: nil, secrets: []))
        }
        let connectionID = run.document["connectionId"]?.stringValue
        var secrets: [String] = []
        let prefetched = await hinted
        let connection = connectionID == connectionHint ? prefetched : await Self.connection(connectionID, records: records, scope: scope)
        if let connection { secrets = await actions.secretValues(of: connection) }
        var execution = FlowExecution(
            runner: self, run: run, scope: scope, connectionID: connectionID, secrets: secrets,
            existing: resumed ? try await nodeRuns(of: runID, scope: scope) : [:]
        )
        let variables: JSONValue = [
            "input": run.document["input"] ?? [:], "parameters": run.document["parameters"] ?? [:], "nodes": [:],
            "connection": ["id": connectionID.map { .string($0) } ?? .null],
        ]
        do throws(FlowInterrupt) {
            _ = try await execution.walk(graph, prefix: "", variables: variables)
        } catch {
            switch error {
            case .store(let failure): throw failure
            case .sleep(let delay):
                // While it sleeps no worker holds it, so a stop can end it at once.
                _ = try await records.patch(
                    RecordPatch(
                        .flowRuns, id: runID, scope: scope,
                        cases: [.init(when: ["status": .string(FlowRunRecord.Status.running.rawValue)], set: ["sleeping": true])]),
                    inserting: execution.takePending())
                return .sleep(delay)
            case .stopped:
                return try await finish(execution.run, scope: scope, status: .stopped, output: nil, error: nil, with: execution.takePending())
            case .nodeFailed(let failure):
                return try await finish(
                    execution.run, scope: scope, status: .failed, output: nil, error: FlowRunRecord.error(failure, node: nil, secrets: secrets),
                    with: execution.takePending()
                )
            case .failed(let failure, let node):
                return try await finish(
                    execution.run, scope: scope, status: .failed, output: nil, error: FlowRunRecord.error(failure, node: node, secrets: secrets),
                    with: execution.takePending()
                )
            }
        }
        return try await finish(
            execution.run, scope: scope, status: .completed, output: execution.lastOutput, error: nil, with: execution.takePending())
    }

    /// Every stored node run of a run, by node path.
    func nodeRuns(of runID: String, scope: StoreScope) async throws(SwitchyardError) -> [String: Record] {
        var found: [String: Record] = [:]
        for record in try await records.all(.nodeRuns, scope: scope, filter: RecordFilter(parentID: runID)) {
            if let key = record.document["nodeKey"]?.stringValue { found[key] = record }
        }
        return found
    }

    /// A connection, or `nil` when there is none or it cannot be read.
    private static func connection(_ id: String?, records: any RecordStore, scope: StoreScope) async -> Record? {
        guard let id else { return nil }
        return try? await records.get(.connections, id: id, scope: scope)
    }

    /// Ends a run, writing the node rows still pending in the same statement.
    private func finish(
        _ run: Record, scope: StoreScope, status: FlowRunRecord.Status, output: JSONValue?, error: JSONValue?, with pending: [NewRecord] = []
    ) async throws(SwitchyardError) -> Step {
        var fields: [String: JSONValue] = ["status": .string(status.rawValue), "finishedAt": FlowRunRecord.time(StoreClock.now())]
        if let output { fields["output"] = ActionRunLog.kept(output, secrets: []) }
        if let error { fields["error"] = error }
        // Only a run that has not ended yet ends here (a stop may have ended it first).
        let open: [FlowRunRecord.Status] = FlowRunRecord.Status.allCases.filter { !$0.isFinal }
        let ended = try await records.patch(
            RecordPatch(
                .flowRuns, id: run.id, scope: scope,
                cases: open.map { .init(when: ["status": .string($0.rawValue)], set: fields, remove: ["sleeping"]) }),
            inserting: pending)
        let stored = ended.record
        let final = FlowRunRecord.status(stored) ?? status
        // Only the write that ended the run tells the SaaS.
        if ended.applied != nil {
            await webhooks.notify(
                "flowRun.\(final.rawValue)", workspaceID: scope.workspaceID, tenantID: scope.tenantID, data: FlowRunRecord.event(stored))
        }
        logger.debug("flow run finished", metadata: ["run": "\(run.id)", "status": "\(final.rawValue)"])
        return .finished(final)
    }
}

/// Why a walk stopped before its end.
enum FlowInterrupt: Error {
    /// The run sleeps this long (its job snoozes).
    case sleep(Duration)
    /// The run was asked to stop.
    case stopped
    /// A node failed and its `onError` is `stop`.
    case failed(SwitchyardError, node: String)
    /// The store failed: the job retries and the run resumes.
    case store(SwitchyardError)
    /// The node being run failed (its `onError` decides what follows).
    case nodeFailed(SwitchyardError)
}
