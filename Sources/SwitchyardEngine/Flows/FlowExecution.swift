import Foundation
import SwitchyardCore
import SwitchyardStore

/// One attempt at a run: walks a graph breadth-first from its entries, taking stored results
/// where a node already ran and running the rest, one node run row per node.
struct FlowExecution {
    let runner: FlowRunner
    var run: Record
    let scope: StoreScope
    let connectionID: String?
    let secrets: [String]
    /// Node runs stored by earlier attempts, by node path.
    var existing: [String: Record]
    /// The output of the last node that ran: the run's output.
    var lastOutput: JSONValue = .null
    /// When `run` was last read or written (its stop flag is that fresh), in store microseconds.
    var runReadAt = StoreClock.now()
    /// Finished idempotent nodes whose rows are not written yet. They go with the next write
    /// (a non-idempotent node's, a sleep's, the run's end) in one transaction, or when there
    /// are many or they waited long: a worker that dies first makes resume run them again,
    /// which is harmless for idempotent nodes.
    var pending: [NewRecord] = []
    var pendingSince: Int64 = 0
    static let maxPending = 100
    static let maxPendingAge: Int64 = 500_000
    /// How old the run's stop flag may be at a node boundary before it is read again, in
    /// microseconds: a stop ends a run at the first node boundary this long after it was asked
    /// for (a run of quick nodes does not read its run row before every node).
    static let stopCheckInterval: Int64 = 100_000

    private var records: any RecordStore { runner.records }

    /// Runs a graph's nodes from its entries; returns the outputs by node key.
    mutating func walk(_ graph: FlowGraph, prefix: String, variables: JSONValue) async throws(FlowInterrupt) -> [String: JSONValue] {
        var variables = variables.objectValue ?? [:]
        var nodeOutputs = variables["nodes"]?.objectValue ?? [:]
        var outputs: [String: JSONValue] = [:]
        var queue = graph.entries
        var seen = Set(queue)
        while !queue.isEmpty {
            let key = queue.removeFirst()
            guard let node = graph.nodes[key] else { continue }
            let current = JSONValue.object(variables)
            // nil: a filter that did not pass ends this branch.
            guard let output = try await step(node, branch: graph.branches[key], path: prefix + key, variables: current) else { continue }
            outputs[key] = output
            nodeOutputs[key] = ["output": output]
            variables["nodes"] = .object(nodeOutputs)
            lastOutput = output
            let after = JSONValue.object(variables)
            for link in node.links where !seen.contains(link.key) {
                if let filter = link.filter {
                    guard try condition(filter, after, path: prefix + key, what: "the filter of the link to \(link.key)") else { continue }
                }
                seen.insert(link.key)
                queue.append(link.key)
            }
        }
        return outputs
    }

    /// One node: its stored result, or a fresh run of it. `nil` for a filter that did not pass.
    private mutating func step(_ node: FlowNode, branch: FlowGraph?, path: String, variables: JSONValue) async throws(FlowInterrupt) -> JSONValue? {
        var startedRow: Record?
        if let stored = existing[path], let status = stored.document["status"]?.stringValue.flatMap(FlowRunRecord.NodeStatus.init(rawValue:)) {
            switch status {
            case .completed, .failed:
                return Self.passOn(node, storedOutput(stored))
            case .waiting:
                return try await resumeWaiting(node, stored, path: path)
            case .running:
                guard node.idempotent else {
                    let error = SwitchyardError(
                        .interrupted,
                        "node \(path) (\(node.kind.name)) was interrupted when its worker stopped, and it is not marked idempotent, so it was not run again; check the external system and start a new run",
                        data: ["nodeKey": path]
                    )
                    try await store(
                        path, node, status: .failed, input: nil, output: nil, error: error, started: stored.createdAt, logs: [], replacing: stored)
                    throw .failed(error, node: path)
                }
                startedRow = stored
            }
        }
        try await checkStop()
        let started = StoreClock.now()
        if !node.idempotent, startedRow == nil {
            // Marked before it runs, so a worker that dies now leaves a trace resume respects.
            startedRow = try await store(
                path, node, status: .running, input: nil, output: nil, error: nil, started: started, logs: [], replacing: nil)
        }
        var logs: [JSONValue] = []
        var input: JSONValue?
        do throws(FlowInterrupt) {
            let output = try await perform(
                node, branch: branch, path: path, variables: variables, started: started, startedRow: startedRow, input: &input, logs: &logs)
            let size = output.jsonText.utf8.count
            guard size <= runner.maxOutputBytes else {
                throw .nodeFailed(
                    SwitchyardError(
                        .outputTooLarge,
                        "node \(path) produced \(size) bytes of output, more than MAX_NODE_RUN_OUTPUT_SIZE_MB (\(runner.maxOutputBytes >> 20) MB)",
                        data: ["bytes": String(size)]
                    )
                )
            }
            try await store(
                path, node, status: .completed, input: input, output: output, error: nil, started: started, logs: logs, replacing: startedRow)
            return Self.passOn(node, output)
        } catch {
            guard case .nodeFailed(let failure) = error else { throw error }
            try await store(
                path, node, status: .failed, input: input, output: nil, error: failure, started: started, logs: logs, replacing: startedRow)
            guard node.onError == .continue else { throw .failed(failure, node: path) }
            return ["error": ["key": .string(failure.key.rawValue), "message": .string(failure.message)]]
        }
    }

    /// What a node does; node failures are `.nodeFailed`.
    private mutating func perform(
        _ node: FlowNode, branch: FlowGraph?, path: String, variables: JSONValue, started: Int64, startedRow: Record?, input: inout JSONValue?,
        logs: inout [JSONValue]
    ) async throws(FlowInterrupt) -> JSONValue {
        switch node.kind {
        case .trigger:
            return variables["input"] ?? .null
        case .filter:
            let passed = try Self.check { () throws(SwitchyardError) in
                try evaluate(node.config["condition"] ?? .null, variables, path: path, field: "config.condition")
            }
            input = ["condition": passed]
            return ["passed": .bool(passed == .bool(true))]
        case .forEach:
            return try await forEach(node, branch: branch, path: path, variables: variables, input: &input)
        case .delay:
            let seconds = try Self.check { () throws(SwitchyardError) in
                try evaluate(node.config["seconds"] ?? .null, variables, path: path, field: "config.seconds")
            }
            guard let value = seconds.numberValue, value >= 0, value <= 31_622_400 else {
                throw .nodeFailed(
                    SwitchyardError(
                        .badRequest, "node \(path): config.seconds must give a number of seconds from 0 to 31622400",
                        data: ["config.seconds": "must be 0 to 31622400"])
                )
            }
            input = ["seconds": seconds]
            let until = started + Int64(value * 1_000_000)
            try await store(
                path, node, status: .waiting, input: input, output: ["resumeAt": FlowRunRecord.time(until)], error: nil, started: started, logs: [],
                replacing: startedRow,
                extra: ["resumeAtMicros": .number(Double(until))]
            )
            throw .sleep(.microseconds(max(0, until - StoreClock.now())))
        case .runFlow:
            return try await runFlow(node, path: path, variables: variables, started: started, startedRow: startedRow, input: &input)
        case .action:
            let (actions, connectionID, scope) = (runner.actions, connectionID, scope)
            input = try await Self.node { () async throws(SwitchyardError) in
                try await actions.evaluateConfig(node.config, variables: variables, name: path, connectionID: connectionID, scope: scope)
            }
            return try await Self.node { () async throws(SwitchyardError) in try await action(node, variables: variables, path: path, logs: &logs) }
        }
    }

    /// Checks node input, its errors as the node's failure.
    private static func check<T>(_ body: () throws(SwitchyardError) -> T) throws(FlowInterrupt) -> T {
        do {
            return try body()
        } catch {
            throw .nodeFailed(error)
        }
    }

    /// Runs node work, its errors as the node's failure.
    private static func node<T>(_ body: () async throws(SwitchyardError) -> T) async throws(FlowInterrupt) -> T {
        do {
            return try await body()
        } catch {
            throw .nodeFailed(error)
        }
    }

    /// A filter that did not pass ends its branch; every other output goes on.
    private static func passOn(_ node: FlowNode, _ output: JSONValue) -> JSONValue? {
        if node.kind == .filter, output["passed"] != .bool(true) { return nil }
        return output
    }

    /// Runs an action node, retrying retryable errors with doubling backoff.
    private func action(_ node: FlowNode, variables: JSONValue, path: String, logs: inout [JSONValue]) async throws(SwitchyardError) -> JSONValue {
        guard var definition = node.action else { throw SwitchyardError(.internal, "action node \(path) has no action") }
        definition.name = path
        let actions = runner.actions
        var delay = node.backoffMilliseconds
        for attempt in 1...node.attempts {
            do throws(SwitchyardError) {
                return try await actions.run(definition, input: variables, variables: variables, connectionID: connectionID, scope: scope)
            } catch where attempt < node.attempts && Self.retryable(error) {
                logs.append(.string("attempt \(attempt) failed (\(error.key.rawValue)): \(error.message); retrying in \(delay) ms"))
                try? await Task.sleep(for: .milliseconds(delay))
                delay = min(delay * 2, 600_000)
            }
        }
        throw SwitchyardError(.internal, "node \(path) ran out of attempts")
    }

    static func retryable(_ error: SwitchyardError) -> Bool {
        error.key == .unavailable || error.key == .rateLimitExceeded || error.key == .timeout
    }

    /// Runs the sub-branch once per item; the output is the list of each item's result
    /// (`config.output` over `{item, index, nodes}` when given, else the branch's node outputs).
    private mutating func forEach(
        _ node: FlowNode, branch: FlowGraph?, path: String, variables: JSONValue, input: inout JSONValue?
    ) async throws(FlowInterrupt) -> JSONValue {
        guard let branch else { throw .store(SwitchyardError(.internal, "for-each node \(path) has no branch")) }
        let items = try Self.check { () throws(SwitchyardError) in
            try evaluate(node.config["items"] ?? .null, variables, path: path, field: "config.items")
        }
        guard case .array(let list) = items else {
            throw .nodeFailed(
                SwitchyardError(
                    .badRequest, "node \(path): config.items must give a list, got \(items.jsonText.prefix(100))",
                    data: ["config.items": "must give a list"]))
        }
        guard list.count <= 10_000 else {
            throw .nodeFailed(SwitchyardError(.badRequest, "node \(path): config.items gave \(list.count) items; at most 10000 are allowed"))
        }
        input = ["itemCount": .number(Double(list.count))]
        var results: [JSONValue] = []
        for (index, item) in list.enumerated() {
            var scoped = variables.objectValue ?? [:]
            scoped["item"] = item
            scoped["index"] = .number(Double(index))
            let outputs: [String: JSONValue]
            do throws(FlowInterrupt) {
                outputs = try await walk(branch, prefix: "\(path)[\(index)].", variables: .object(scoped))
            } catch {
                // A branch node that fails (and stops) fails the for-each node.
                if case .failed(let failure, _) = error { throw .nodeFailed(failure) }
                throw error
            }
            if let formula = node.config["output"] {
                var nodes = scoped["nodes"]?.objectValue ?? [:]
                for (key, value) in outputs { nodes[key] = ["output": value] }
                scoped["nodes"] = .object(nodes)
                let fixed = scoped
                results.append(
                    try Self.check { () throws(SwitchyardError) in try evaluate(formula, .object(fixed), path: path, field: "config.output") })
            } else {
                results.append(.object(outputs))
            }
        }
        return .array(results)
    }

    /// Starts the sub-flow and (unless `config.wait` is false) sleeps until it ends.
    private mutating func runFlow(
        _ node: FlowNode, path: String, variables: JSONValue, started: Int64, startedRow: Record?, input: inout JSONValue?
    ) async throws(FlowInterrupt) -> JSONValue {
        let key = try Self.check { () throws(SwitchyardError) in
            try evaluate(node.config["flowKey"] ?? .null, variables, path: path, field: "config.flowKey")
        }
        let childInput = try Self.check { () throws(SwitchyardError) in
            try node.config["input"].map { formula throws(SwitchyardError) in try evaluate(formula, variables, path: path, field: "config.input") }
                ?? [:]
        }
        guard let flowKey = key.stringValue, let connectionID else {
            throw .nodeFailed(
                SwitchyardError(
                    .badRequest, "node \(path): config.flowKey must give a flow key, and the run needs a connection",
                    data: ["config.flowKey": "must give a flow key"])
            )
        }
        input = ["flowKey": key, "input": childInput]
        let scope = scope
        let parentID = run.id
        let (records, instances, launcher) = (records, runner.instances, runner.launcher)
        let child = try await Self.node { () async throws(SwitchyardError) in
            let connection = try await records.get(.connections, id: connectionID, scope: scope)
            let instance = try await instances.instance(of: flowKey, connection: connection, instanceKey: nil, scope: scope)
            return try await launcher.launch(instance, start: .init(trigger: "run-flow", input: childInput, parentRunID: parentID))
        }
        guard node.config["wait"] != .bool(false) else { return ["flowRunId": .string(child.id)] }
        try await store(
            path, node, status: .waiting, input: input, output: ["flowRunId": .string(child.id)], error: nil, started: started, logs: [],
            replacing: startedRow,
            extra: ["childRunId": .string(child.id)]
        )
        throw .sleep(Self.subFlowPoll)
    }

    static let subFlowPoll: Duration = .milliseconds(250)

    /// A delay whose time has come completes; a sub-flow that ended gives its output (or its
    /// failure); otherwise the run sleeps again.
    private mutating func resumeWaiting(_ node: FlowNode, _ stored: Record, path: String) async throws(FlowInterrupt) -> JSONValue? {
        let started = stored.createdAt
        let input = stored.document["input"]
        if let until = stored.document["resumeAtMicros"]?.numberValue.map({ Int64($0) }) {
            let now = StoreClock.now()
            guard now >= until else { throw .sleep(.microseconds(until - now)) }
            let output: JSONValue = ["waitedSeconds": .number(Double(now - started) / 1_000_000)]
            try await store(path, node, status: .completed, input: input, output: output, error: nil, started: started, logs: [], replacing: stored)
            return output
        }
        guard let childID = stored.document["childRunId"]?.stringValue else {
            throw .store(SwitchyardError(.internal, "node run \(stored.id) waits on nothing"))
        }
        let child: Record
        do {
            child = try await records.get(.flowRuns, id: childID, scope: scope)
        } catch {
            throw .store(error)
        }
        guard let status = FlowRunRecord.status(child), status.isFinal else { throw .sleep(Self.subFlowPoll) }
        guard status == .completed else {
            let error = SwitchyardError(.badRequest, "node \(path): sub-flow run \(childID) ended \(status.rawValue)", data: ["flowRunId": childID])
            try await store(path, node, status: .failed, input: input, output: nil, error: error, started: started, logs: [], replacing: stored)
            guard node.onError == .continue else { throw .failed(error, node: path) }
            return ["error": ["key": .string(error.key.rawValue), "message": .string(error.message)], "flowRunId": .string(childID)]
        }
        let output: JSONValue = ["flowRunId": .string(childID), "output": child.document["output"] ?? .null]
        try await store(path, node, status: .completed, input: input, output: output, error: nil, started: started, logs: [], replacing: stored)
        return output
    }

    /// Ends the walk when the run was asked to stop (read again once the last read is older
    /// than ``stopCheckInterval``).
    private mutating func checkStop() async throws(FlowInterrupt) {
        let now = StoreClock.now()
        if now - runReadAt >= Self.stopCheckInterval {
            do {
                run = try await records.get(.flowRuns, id: run.id, scope: scope)
            } catch {
                throw .store(error)
            }
            runReadAt = now
        }
        if run.document["stopRequested"] == .bool(true) || FlowRunRecord.status(run) == .stopped { throw .stopped }
    }

    /// The pending node rows, taken (the run's end writes them with its own update).
    mutating func takePending() -> [NewRecord] {
        defer { pending = [] }
        return pending
    }

    private func evaluate(_ formula: JSONValue, _ variables: JSONValue, path: String, field: String) throws(SwitchyardError) -> JSONValue {
        do {
            return try Formula.evaluate(formula, variables: variables)
        } catch {
            throw SwitchyardError(.badRequest, "node \(path): \(field): \(error.message) (at \(error.path))", data: [field: error.message])
        }
    }

    private func condition(_ formula: JSONValue, _ variables: JSONValue, path: String, what: String) throws(FlowInterrupt) -> Bool {
        do {
            return try evaluate(formula, variables, path: path, field: what) == .bool(true)
        } catch {
            throw .failed(error, node: path)
        }
    }

    /// The output a node run holds: the full value (kept encrypted when the shown one was
    /// redacted or cut), else the shown one.
    private func storedOutput(_ record: Record) -> JSONValue {
        record.secret?["output"] ?? record.document["output"] ?? .null
    }

    /// Writes a node run (new, or replacing the row a waiting or started node left); a finished
    /// idempotent node's row waits for the next write (`nil` then).
    @discardableResult
    private mutating func store(
        _ path: String, _ node: FlowNode, status: FlowRunRecord.NodeStatus, input: JSONValue?, output: JSONValue?, error: SwitchyardError?,
        started: Int64,
        logs: [JSONValue], replacing: Record?, extra: [String: JSONValue] = [:]
    ) async throws(FlowInterrupt) -> Record? {
        let now = StoreClock.now()
        var document: [String: JSONValue] = [
            "runId": .string(run.id), "nodeKey": .string(path), "type": .string(node.kind.name), "status": .string(status.rawValue),
            "startedAt": FlowRunRecord.time(started), "logs": .array(logs),
        ]
        var secret: JSONValue?
        if let input { document["input"] = ActionRunLog.kept(input, secrets: secrets) }
        if let output {
            let shown = ActionRunLog.kept(output, secrets: secrets)
            document["output"] = shown
            if shown != output { secret = ["output": output] }
        }
        let hidden = secret
        if let error { document["error"] = FlowRunRecord.error(error, node: path, secrets: secrets) }
        if status == .completed || status == .failed {
            document["finishedAt"] = FlowRunRecord.time(now)
            document["durationMs"] = .number(Double((now - started) / 1000))
        }
        for (name, value) in extra { document[name] = value }
        let write: RecordWrite
        if let replacing {
            let fixed = document
            write = .update(.nodeRuns, id: replacing.id, scope: scope, expectedRevision: nil) { record in
                record.document = .object(fixed)
                record.secret = hidden
            }
        } else {
            let row = NewRecord(kind: .nodeRuns, tenantID: scope.tenantID, parentID: run.id, document: .object(document), secret: hidden)
            if status == .completed, node.idempotent {
                if pending.isEmpty { pendingSince = now }
                pending.append(row)
                guard pending.count >= Self.maxPending || now - pendingSince >= Self.maxPendingAge else { return nil }
                try await flush([])
                return nil
            }
            write = .insert(row, scope: scope)
        }
        let written = try await flush([write]).last ?? nil
        guard let written else { throw .store(SwitchyardError(.internal, "storing node run \(path) returned nothing")) }
        existing[path] = written
        return written
    }

    /// Writes the pending rows and `writes` in one transaction.
    @discardableResult
    private mutating func flush(_ writes: [RecordWrite]) async throws(FlowInterrupt) -> [Record?] {
        let scope = scope
        let batch = takePending().map { RecordWrite.insert($0, scope: scope) } + writes
        guard !batch.isEmpty else { return [] }
        do {
            return try await records.apply(batch)
        } catch {
            throw .store(error)
        }
    }
}
