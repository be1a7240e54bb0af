import Foundation
import SwitchyardCore
import SwitchyardStore

/// One pull of a data source instance, as its `external_event_pulls` record keeps it: what it
/// is reading, where it has got to (the cursor of the next page, saved after every page, so a
/// pull that stops resumes there), what it found, and how it ended.
package struct DataSourcePull: Sendable, Equatable {
    /// Incremental pulls read what changed since the last one; full pulls read everything and
    /// find deletions.
    package enum Mode: String, Sendable, CaseIterable {
        case incremental
        case full
    }

    /// Where a pull is.
    package enum Status: String, Sendable {
        case running, completed, failed
    }

    /// The record's id.
    package var id: String
    /// The data source instance.
    package var instanceID: String
    /// Its connection.
    package var connectionID: String
    /// The collection read.
    package var collectionKey: String
    /// Incremental or full.
    package var mode: Mode
    /// Where it is.
    package var status: Status
    /// The first pull of an instance records what is there without reporting events.
    package var baseline: Bool
    /// The cursor of the next page (`nil` before the first page and after the last).
    package var cursor: String?
    /// The updated value an incremental pull reads from (the last pull's newest).
    package var since: JSONValue?
    /// The newest updated value seen so far, the next pull's `since`.
    package var newest: JSONValue?
    /// When a full pull began (microseconds): records written after it are never reported deleted.
    package var scanStartedAt: Int64
    /// Pages read.
    package var pages: Int = 0
    /// Records read and used.
    package var recordsSeen: Int = 0
    /// Records created, updated and deleted, as events.
    package var created: Int = 0
    package var updated: Int = 0
    package var deleted: Int = 0
    /// Records skipped, and the first reasons.
    package var skipped: Int = 0
    package var skippedReasons: [String] = []
    /// Flow runs the pull's events started (the first 1,000).
    package var flowRunIDs: [String] = []
    /// Whether the deletions sweep of a full pull has begun (a resumed pull goes straight there).
    package var sweeping: Bool = false
    /// The last id the deletions sweep handled.
    package var sweptAfter: String?
    /// The last error, and whether it ended the pull.
    package var error: String?
    /// When it started and finished (microseconds).
    package var startedAt: Int64
    package var finishedAt: Int64?

    /// Most reasons kept for skipped records.
    static let maxReasons = 100
    /// Most flow run ids kept on the pull.
    static let maxRunIDs = 1000

    /// A new pull.
    init(id: String, instanceID: String, connectionID: String, collectionKey: String, mode: Mode, baseline: Bool, since: JSONValue?, now: Int64) {
        self.id = id
        self.instanceID = instanceID
        self.connectionID = connectionID
        self.collectionKey = collectionKey
        self.mode = mode
        status = .running
        self.baseline = baseline
        self.since = since
        scanStartedAt = now
        startedAt = now
    }

    /// Reads a pull from its record.
    /// - Throws: `internal` for a record that is not a pull.
    package init(_ record: Record) throws(SwitchyardError) {
        let document = record.document
        guard let instance = document["dataSourceInstanceId"]?.stringValue, let mode = document["mode"]?.stringValue.flatMap(Mode.init(rawValue:)),
            let status = document["status"]?.stringValue.flatMap(Status.init(rawValue:))
        else {
            throw SwitchyardError(.internal, "external_event_pulls \(record.id) is not a pull")
        }
        id = record.id
        instanceID = instance
        connectionID = document["connectionId"]?.stringValue ?? ""
        collectionKey = document["collectionKey"]?.stringValue ?? ""
        self.mode = mode
        self.status = status
        baseline = document["baseline"] == .bool(true)
        cursor = document["cursor"]?.stringValue
        since = document["since"].flatMap { $0 == .null ? nil : $0 }
        newest = document["newest"].flatMap { $0 == .null ? nil : $0 }
        scanStartedAt = Int64(document["scanStartedUs"]?.numberValue ?? 0)
        pages = Int(document["pages"]?.numberValue ?? 0)
        recordsSeen = Int(document["recordsSeen"]?.numberValue ?? 0)
        created = Int(document["created"]?.numberValue ?? 0)
        updated = Int(document["updated"]?.numberValue ?? 0)
        deleted = Int(document["deleted"]?.numberValue ?? 0)
        skipped = Int(document["skipped"]?.numberValue ?? 0)
        skippedReasons = (document["skippedReasons"]?.arrayValue ?? []).compactMap(\.stringValue)
        flowRunIDs = (document["flowRunIds"]?.arrayValue ?? []).compactMap(\.stringValue)
        sweeping = document["sweeping"] == .bool(true)
        sweptAfter = document["sweptAfter"]?.stringValue
        error = document["error"]?.stringValue
        startedAt = Int64(document["startedUs"]?.numberValue ?? 0)
        finishedAt = document["finishedUs"]?.numberValue.map { Int64($0) }
    }

    /// The stored document.
    var document: JSONValue {
        var members: [String: JSONValue] = [
            "dataSourceInstanceId": .string(instanceID), "connectionId": .string(connectionID), "collectionKey": .string(collectionKey),
            "mode": .string(mode.rawValue), "status": .string(status.rawValue), "baseline": .bool(baseline),
            "scanStartedUs": .number(Double(scanStartedAt)), "pages": .number(Double(pages)), "recordsSeen": .number(Double(recordsSeen)),
            "created": .number(Double(created)), "updated": .number(Double(updated)), "deleted": .number(Double(deleted)),
            "skipped": .number(Double(skipped)), "skippedReasons": .array(skippedReasons.map { .string($0) }),
            "flowRunIds": .array(flowRunIDs.map { .string($0) }), "sweeping": .bool(sweeping), "startedUs": .number(Double(startedAt)),
        ]
        if let cursor { members["cursor"] = .string(cursor) }
        if let since { members["since"] = since }
        if let newest { members["newest"] = newest }
        if let sweptAfter { members["sweptAfter"] = .string(sweptAfter) }
        if let error { members["error"] = .string(error) }
        if let finishedAt { members["finishedUs"] = .number(Double(finishedAt)) }
        return .object(members)
    }

    /// The API's view: everything but the bookkeeping, with times as ISO 8601.
    package var json: JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(id), "dataSourceInstanceId": .string(instanceID), "connectionId": .string(connectionID),
            "collectionKey": .string(collectionKey), "mode": .string(mode.rawValue), "status": .string(status.rawValue),
            "baseline": .bool(baseline), "pages": .number(Double(pages)), "recordsSeen": .number(Double(recordsSeen)),
            "created": .number(Double(created)), "updated": .number(Double(updated)), "deleted": .number(Double(deleted)),
            "skipped": .number(Double(skipped)), "skippedReasons": .array(skippedReasons.map { .string($0) }),
            "flowRunIds": .array(flowRunIDs.map { .string($0) }), "startedAt": FlowRunRecord.time(startedAt),
        ]
        if let cursor { members["cursor"] = .string(cursor) }
        if let error { members["error"] = .string(error) }
        if let finishedAt {
            members["finishedAt"] = FlowRunRecord.time(finishedAt)
            members["durationMs"] = .number(Double((finishedAt - startedAt) / 1000))
        }
        return .object(members)
    }

    /// Notes a skipped record.
    mutating func skip(_ reason: String) {
        skipped += 1
        if skippedReasons.count < Self.maxReasons { skippedReasons.append(reason) }
    }
}
