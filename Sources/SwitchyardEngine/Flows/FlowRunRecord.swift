import SwitchyardCore
import SwitchyardStore

/// How flow runs and node runs are stored. A run (`flow_runs`, parent: its flow instance,
/// owned by the connection's tenant) keeps its state, input, output or error, and the snapshot
/// of the nodes it runs, so an edit does not change a run in flight. A node run (`node_runs`,
/// parent: its run) keeps one node's input, output, error, logs and timings; `nodeKey` is the
/// node's path (`loop[3].send` for a for-each branch's node).
package enum FlowRunRecord {
    /// The job kind that runs flows on the queued queue.
    package static let jobKind = "flows.run"

    /// A run's states.
    package enum Status: String, Sendable, CaseIterable {
        case queued, running, completed, failed, stopped

        /// Whether the run is over.
        package var isFinal: Bool { self == .completed || self == .failed || self == .stopped }
    }

    /// A run's status.
    package static func status(_ run: Record) -> Status? {
        run.document["status"]?.stringValue.flatMap(Status.init(rawValue:))
    }

    /// A node run's states: `running` is written first only for nodes that are not safe to run
    /// twice; `waiting` is a delay or a sub-flow the run sleeps on.
    package enum NodeStatus: String, Sendable {
        case running, waiting, completed, failed
    }

    /// Microseconds as ISO 8601 text.
    static func time(_ microseconds: Int64) -> JSONValue { .string(ISO8601Time.string(microseconds: microseconds)) }

    /// An error as runs store it: as action logs do (key, message and data, redacted), and the
    /// node it happened in.
    static func error(_ error: SwitchyardError, node: String?, secrets: [String]) -> JSONValue {
        var members = ActionRunLog.kept(error, secrets: secrets).objectValue ?? [:]
        if let node { members["nodeKey"] = .string(node) }
        return .object(members)
    }

    /// What webhook notifications about a run carry.
    package static func event(_ run: Record) -> JSONValue {
        var members: [String: JSONValue] = ["flowRunId": .string(run.id)]
        for name in ["flowInstanceId", "flowId", "flowKey", "connectionId", "integrationId", "status", "error"] {
            if let value = run.document[name] { members[name] = value }
        }
        return .object(members)
    }
}
