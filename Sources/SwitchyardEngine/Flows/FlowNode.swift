import SwitchyardCore

/// One node of a flow: what it does (`type` and `config`), where the run goes next (`links`,
/// each optionally guarded by a `filter` formula), and what happens when it fails (`onError`,
/// `retries`).
package struct FlowNode: Sendable {
    /// What a node does.
    package enum Kind: Sendable, Equatable {
        /// The flow's start; its output is the run's input.
        case trigger(TriggerKind)
        /// Any action type (its `config` is the action's).
        case action(ActionDefinition.Kind)
        /// Stops its branch unless `config.condition` is true.
        case filter
        /// Runs the sub-branch `config.nodes` once per item of `config.items`.
        case forEach
        /// Waits `config.seconds` (the job sleeps in the queue, holding no worker).
        case delay
        /// Runs another flow for the same connection, and waits for it unless `config.wait` is false.
        case runFlow

        /// The type's name in a flow's `nodes`.
        package var name: String {
            switch self {
            case .trigger(let kind): kind.rawValue
            case .action(let kind): kind.rawValue
            case .filter: "filter"
            case .forEach: "for-each"
            case .delay: "delay"
            case .runFlow: "run-flow"
            }
        }

        /// Every node type name.
        static var allNames: [String] {
            TriggerKind.allCases.map(\.rawValue) + ActionDefinition.Kind.allCases.map(\.rawValue) + ["filter", "for-each", "delay", "run-flow"]
        }

        init?(_ name: String) {
            if let trigger = TriggerKind(rawValue: name) {
                self = .trigger(trigger)
            } else if let action = ActionDefinition.Kind(rawValue: name) {
                self = .action(action)
            } else {
                switch name {
                case "filter": self = .filter
                case "for-each": self = .forEach
                case "delay": self = .delay
                case "run-flow": self = .runFlow
                default: return nil
                }
            }
        }
    }

    /// How a flow starts.
    package enum TriggerKind: String, Sendable, CaseIterable {
        /// `POST /flows/{selector}/run` or `/flow-instances/{id}/run`.
        case api = "api-trigger"
        /// An interval (`config.everySeconds`) or a cron expression (`config.cron`).
        case schedule = "schedule-trigger"
        /// `POST /webhooks/app-events/{flowId}` from the SaaS.
        case appEvent = "app-event-trigger"
        /// A data record of the connection changed (`config.collectionKey`).
        case dataRecordCreated = "data-record-created-trigger"
        case dataRecordUpdated = "data-record-updated-trigger"
        case dataRecordDeleted = "data-record-deleted-trigger"
        /// An event of the connector (`config.eventKey`).
        case connectorEvent = "connector-event-trigger"
    }

    /// Where the run goes after a node.
    package struct Link: Sendable, Equatable {
        /// The next node.
        package var key: String
        /// A condition over the run's variables; the link is followed only when it is true.
        package var filter: JSONValue?
    }

    /// What a failed node does to its run.
    package enum OnError: String, Sendable {
        /// The run fails.
        case stop
        /// The failure is recorded as the node's output and the run goes on along its links.
        case `continue`
    }

    /// The node's key in `nodes`.
    package var key: String
    /// What it does.
    package var kind: Kind
    /// Its settings, formulas over the run's variables.
    package var config: [String: JSONValue]
    /// An action node's action, read once with the flow (its type, config and `outputMapping`).
    package var action: ActionDefinition?
    /// The next nodes.
    package var links: [Link]
    /// What a failure does.
    package var onError: OnError
    /// Attempts for retryable errors (unavailable, rate limited, timed out), at least 1.
    package var attempts: Int
    /// The first retry's delay; each next one doubles it.
    package var backoffMilliseconds: Int
    /// Whether running the node a second time is harmless, so a node interrupted by a dying
    /// worker may be run again on resume.
    package var idempotent: Bool
}
