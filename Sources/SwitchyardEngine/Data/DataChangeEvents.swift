import Crypto
import Foundation
import Logging
import SwitchyardCore
import SwitchyardStore

/// A change to one record of a data collection, found by a pull or sent by the provider.
package struct DataChange: Sendable, Equatable {
    /// What happened.
    package enum Kind: String, Sendable {
        case created = "data-record-created"
        case updated = "data-record-updated"
        case deleted = "data-record-deleted"

        /// The flow trigger that hears it.
        var trigger: FlowNode.TriggerKind {
            switch self {
            case .created: .dataRecordCreated
            case .updated: .dataRecordUpdated
            case .deleted: .dataRecordDeleted
            }
        }
    }

    /// What happened.
    package var kind: Kind
    /// The record's id.
    package var recordID: String
    /// Its fields (absent for deletions).
    package var fields: JSONValue?
}

/// Delivers a connection's data changes: each becomes an `external_events` record and starts
/// the connection's enabled flow instances whose trigger hears it (a trigger with a
/// `collectionKey` hears only that collection). Event and run ids are derived from the pull
/// (or delivery), the change and the instance, so a page read again after a crash starts
/// nothing twice: its events and runs already exist.
package struct DataChangeEvents: Sendable {
    let records: any RecordStore
    let launcher: FlowLauncher
    let logger: Logger
    /// The connection.
    let connection: Record
    /// The collection.
    let collectionKey: String
    /// Where the changes came from: `pull` or `webhook`, and that pull's or subscription's id.
    let origin: (kind: String, id: String)
    /// The data source instance, when a pull found the changes.
    let instanceID: String?
    /// The instances that hear data record events of this collection.
    let listeners: [(instance: Element, trigger: FlowNode)]

    /// Reads the connection's listeners once.
    package static func prepare(
        records: any RecordStore, launcher: FlowLauncher, logger: Logger, connection: Record, collectionKey: String,
        origin: (kind: String, id: String), instanceID: String?
    ) async throws(SwitchyardError) -> DataChangeEvents {
        let all = try await launcher.listeners(connection: connection, triggers: [.dataRecordCreated, .dataRecordUpdated, .dataRecordDeleted])
        let listeners = all.filter { listener in
            guard let key = listener.trigger.config["collectionKey"], key != .null else { return true }
            return key.stringValue == collectionKey
        }
        return DataChangeEvents(
            records: records, launcher: launcher, logger: logger, connection: connection, collectionKey: collectionKey, origin: origin,
            instanceID: instanceID, listeners: listeners)
    }

    /// Logs the changes and starts their runs.
    /// - Returns: The ids of the runs started.
    package func deliver(_ changes: [DataChange]) async throws(SwitchyardError) -> [String] {
        guard !changes.isEmpty else { return [] }
        let scope = StoreScope.tenant(connection.tenantID ?? "", in: connection.workspaceID)
        var events: [NewRecord] = []
        var started: [String] = []
        for change in changes {
            let eventID = Self.id("\(origin.kind)|\(origin.id)|\(change.kind.rawValue)|\(change.recordID)")
            var record: [String: JSONValue] = ["id": .string(change.recordID)]
            if let fields = change.fields { record["fields"] = fields }
            var payload: [String: JSONValue] = [
                "type": .string(change.kind.rawValue), "collectionKey": .string(collectionKey), "record": .object(record),
                "connectionId": .string(connection.id), "externalEventId": .string(eventID),
            ]
            if let instanceID { payload["dataSourceInstanceId"] = .string(instanceID) }
            var runs: [String] = []
            for listener in listeners where listener.trigger.kind == .trigger(change.kind.trigger) {
                let runID = Self.id("\(eventID)|\(listener.instance.record.id)")
                do {
                    _ = try await launcher.launch(listener.instance, start: .init(trigger: change.kind.trigger.rawValue, input: .object(payload),
                        runID: runID))
                } catch where error.key == .alreadyExists {
                    // Started before this page was read again.
                } catch {
                    logger.error(
                        "cannot start a flow run for a data change",
                        metadata: ["instance": "\(listener.instance.record.id)", "record": "\(change.recordID)", "error": "\(error.message)"])
                    continue
                }
                runs.append(runID)
            }
            started += runs
            var document = payload
            document["source"] = .string(origin.kind)
            document[origin.kind == "pull" ? "pullId" : "subscriptionId"] = .string(origin.id)
            document["flowRunIds"] = .array(runs.map { .string($0) })
            document["receivedAt"] = FlowRunRecord.time(StoreClock.now())
            events.append(NewRecord(kind: .externalEvents, id: eventID, tenantID: connection.tenantID, document: .object(document)))
        }
        do {
            _ = try await records.apply(events.map { .insert($0, scope: scope) })
        } catch where error.key == .alreadyExists {
            for event in events {
                do { _ = try await records.insert(event, scope: scope) } catch where error.key == .alreadyExists {}
            }
        }
        return started
    }

    /// A stable UUID-shaped id for a name.
    static func id(_ name: String) -> String {
        let digest = Array(SHA256.hash(data: Data(name.utf8)).prefix(16))
        let hex = digest.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
