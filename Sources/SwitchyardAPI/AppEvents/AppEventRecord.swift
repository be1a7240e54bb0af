import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore

/// One app event as stored (`app_events` records): posted to an app event type's address (a
/// child of its type, with `appEventTypeId` and `appEventTypeKey`) or to a flow's own address
/// (`flowId`); with `tenantId`, `payload`, `receivedAt`, `status`, `flowRunIds`, and `reason`
/// (why it started no run) or `error` (why it was refused).
struct AppEventRecord {
    /// What happened to an event.
    enum Status: String, CaseIterable {
        /// Stored; its runs are being queued.
        case received
        /// It started at least one run.
        case launched
        /// It started none: no instance of the tenant listens, or their filters held it back.
        case ignored
        /// Refused: not a JSON object, no tenant, the payload fails the type's schema, or the trigger's filter failed on it.
        case rejected
        /// No run could be queued (a full queue): the sender was told to retry.
        case failed
    }

    /// Where an event was posted.
    enum Source {
        /// An app event type's webhook address.
        case type(AppEventType)
        /// A flow's own address (`POST /webhooks/app-events/{flowId}`), with the flow's id.
        case flow(String)
    }

    /// Where it was posted.
    var source: Source
    /// The tenant, once known.
    var tenantID: String?
    /// The payload, once it is a JSON object.
    var payload: JSONValue = .null
    /// When it arrived.
    let receivedAt = StoreClock.now()

    /// The scope the event is stored in: its tenant's, or the workspace's when it has none.
    func scope(_ workspaceID: String) -> StoreScope {
        tenantID.map { StoreScope.tenant($0, in: workspaceID) } ?? .workspace(workspaceID)
    }

    /// The new record, in a state.
    private func record(_ status: Status, extra: [String: JSONValue] = [:]) -> NewRecord {
        var document: [String: JSONValue] = [
            "tenantId": tenantID.map { .string($0) } ?? .null, "payload": payload,
            "receivedAt": .string(ISO8601Time.string(microseconds: receivedAt)), "status": .string(status.rawValue), "flowRunIds": [],
        ]
        var parentID: String?
        switch source {
        case .type(let type):
            document["appEventTypeId"] = .string(type.record.id)
            document["appEventTypeKey"] = type.record.key.map { .string($0) } ?? .null
            parentID = type.record.id
        case .flow(let flowID):
            document["flowId"] = .string(flowID)
        }
        document.merge(extra) { $1 }
        return NewRecord(kind: .appEvents, tenantID: tenantID, parentID: parentID, document: .object(document))
    }

    /// The record of an event about to start its runs.
    func received() -> NewRecord { record(.received) }

    /// The record of a refused event.
    func rejected(_ error: SwitchyardError) -> NewRecord {
        record(.rejected, extra: ["error": Self.json(error)])
    }

    /// The record of an event that starts no run, and why.
    func ignored(_ reason: String) -> NewRecord {
        record(.ignored, extra: ["reason": .string(reason)])
    }

    /// A stored event's document once a flow's own address queued its runs.
    static func launched(_ document: JSONValue, runs: [Record]) -> JSONValue {
        guard case .object(var members) = document else { return document }
        members["flowRunIds"] = .array(runs.map { .string($0.id) })
        members["status"] = .string((runs.isEmpty ? Status.ignored : Status.launched).rawValue)
        if runs.isEmpty { members["reason"] = "no enabled instance of this flow belongs to this tenant" }
        return .object(members)
    }

    /// A stored event's document once its runs are queued.
    static func launched(_ document: JSONValue, _ outcome: AppEventOutcome) -> JSONValue {
        guard case .object(var members) = document else { return document }
        members["flowRunIds"] = .array(outcome.runs.map { .string($0.id) })
        if !outcome.runs.isEmpty {
            members["status"] = .string(Status.launched.rawValue)
        } else if let failure = outcome.failures.sorted(by: { $0.key < $1.key }).first?.value {
            members["status"] = .string(Status.failed.rawValue)
            members["error"] = json(failure)
        } else {
            members["status"] = .string(Status.ignored.rawValue)
            members["reason"] = .string(
                outcome.listening.isEmpty
                    ? "no enabled flow instance of this tenant listens to this app event type"
                    : "the filters of the listening flow instances held the event back")
        }
        if !outcome.heldBack.isEmpty { members["heldBack"] = .object(outcome.heldBack.mapValues { .string($0) }) }
        if !outcome.failures.isEmpty { members["failures"] = .object(outcome.failures.mapValues { .string($0.message) }) }
        return .object(members)
    }

    /// An error as events store it.
    static func json(_ error: SwitchyardError) -> JSONValue {
        var members: [String: JSONValue] = ["key": .string(error.key.rawValue), "message": .string(error.message)]
        if !error.data.isEmpty { members["data"] = .object(error.data.mapValues { .string($0) }) }
        return .object(members)
    }
}
