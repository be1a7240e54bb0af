import Logging
import SwitchyardCore
import SwitchyardStore

/// What an event of an app event type started for one tenant: the runs, the instances that
/// listen to the type, and why the others did not run.
package struct AppEventOutcome: Sendable {
    /// The runs queued.
    package var runs: [Record] = []
    /// The tenant's live, enabled instances whose trigger names the type.
    package var listening: [String] = []
    /// Instances whose trigger `filter` held the event back (or failed on it), with the reason.
    package var heldBack: [String: String] = [:]
    /// Instances whose run could not be queued (a full queue, an archived instance), with the error.
    package var failures: [String: SwitchyardError] = [:]
}

extension FlowLauncher {
    /// Queues a run of every live, enabled instance of a tenant whose trigger is an
    /// `app-event-trigger` naming the type (`config.appEventTypeKey`) and whose `filter` (a
    /// formula over `{payload}`, if any) is true for the event. The run's input is the payload.
    /// An instance that cannot be queued does not stop the others; its error is in the outcome.
    package func launchAppEvent(typeKey: String, scope: StoreScope, payload: JSONValue) async throws(SwitchyardError) -> AppEventOutcome {
        var outcome = AppEventOutcome()
        var cache: [String: Record] = [:]
        let filter = RecordFilter(tenantID: scope.tenantID, documentFields: ["layer": ElementLayer.instance.rawValue])
        for record in try await records.all(.flows, scope: scope, filter: filter) {
            let element = Element(record)
            guard FlowInstances.isEnabled(element) else { continue }
            let content: [String: JSONValue]
            do {
                content = try await element.effective(records: records, scope: scope, cache: &cache).content
            } catch {
                // An instance whose content cannot be read (its parent is gone) does not stop the others.
                logger.warning(
                    "an app event skipped a flow instance it cannot read", metadata: ["instance": "\(record.id)", "error": "\(error.message)"])
                continue
            }
            guard AppEventSubscriptions.typeKey(element, content: content) == typeKey,
                let trigger = try? FlowGraph(content["nodes"]).trigger
            else { continue }
            outcome.listening.append(record.id)
            if let condition = trigger.config["filter"] {
                do {
                    let passed = try Formula.evaluate(condition, variables: ["payload": payload])
                    guard passed == .bool(true) else {
                        outcome.heldBack[record.id] = "the trigger's filter is not true for this event"
                        continue
                    }
                } catch {
                    outcome.heldBack[record.id] = "the trigger's filter failed on this event: \(error.message) (at \(error.path))"
                    continue
                }
            }
            do {
                outcome.runs.append(try await launch(element, start: Start(trigger: FlowNode.TriggerKind.appEvent.rawValue, input: payload)))
            } catch {
                logger.warning("an app event could not start a flow instance", metadata: ["instance": "\(record.id)", "error": "\(error.message)"])
                outcome.failures[record.id] = error
            }
        }
        return outcome
    }
}
