import Foundation
import SwitchyardCore
import SwitchyardStore

/// The record of one action run (`/action-run-logs`): which action, connection and tenant, the
/// input and the output or error, how long it took. Input and output are kept up to
/// ``maxValueBytes`` each (larger ones are replaced by a preview and their size) and any field
/// whose name marks a secret (`token`, `password`, `authorization`, …) or any string holding one
/// of the connection's credentials reads `[redacted]`.
package enum ActionRunLog {
    /// The most of an input or output a log keeps.
    package static let maxValueBytes = 64 * 1024

    /// What a log entry records.
    package struct Entry: Sendable {
        package var actionID: String
        package var actionKey: String?
        package var actionType: String
        package var connectionID: String?
        package var integrationID: String?
        package var input: JSONValue
        package var output: JSONValue?
        package var error: SwitchyardError?
        package var startedAt: Date
        package var duration: Duration

        /// Creates an entry.
        package init(
            actionID: String, actionKey: String?, actionType: String, connectionID: String?, integrationID: String?, input: JSONValue, output: JSONValue?,
            error: SwitchyardError?, startedAt: Date, duration: Duration
        ) {
            self.actionID = actionID
            self.actionKey = actionKey
            self.actionType = actionType
            self.connectionID = connectionID
            self.integrationID = integrationID
            self.input = input
            self.output = output
            self.error = error
            self.startedAt = startedAt
            self.duration = duration
        }
    }

    /// Writes an entry in the caller's scope.
    /// - Parameter secrets: Values to redact wherever they appear (the connection's credentials).
    package static func write(_ entry: Entry, secrets: [String], records: any RecordStore, scope: StoreScope) async throws(SwitchyardError) -> Record {
        var document: [String: JSONValue] = [
            "actionId": .string(entry.actionID), "actionType": .string(entry.actionType), "status": entry.error == nil ? "success" : "error",
            "input": kept(entry.input, secrets: secrets), "startedAt": .string(ISO8601Time.string(microseconds: Int64(entry.startedAt.timeIntervalSince1970 * 1_000_000))),
            "durationMs": .number((Double(entry.duration.components.seconds) * 1000 + Double(entry.duration.components.attoseconds) / 1e15).rounded()),
        ]
        if let value = entry.actionKey { document["actionKey"] = .string(value) }
        if let value = entry.connectionID { document["connectionId"] = .string(value) }
        if let value = entry.integrationID { document["integrationId"] = .string(value) }
        if let output = entry.output { document["output"] = kept(output, secrets: secrets) }
        if let error = entry.error { document["error"] = kept(error, secrets: secrets) }
        return try await records.insert(NewRecord(kind: .actionRunLogs, tenantID: scope.tenantID, parentID: entry.actionID, document: .object(document)), scope: scope)
    }

    /// An error as a log keeps it: `{key, message, data}`. The error's own fields are not
    /// secrets by name; its message and data may hold secret values, which are redacted.
    static func kept(_ error: SwitchyardError, secrets: [String]) -> JSONValue {
        [
            "key": .string(error.key.rawValue), "message": redact(.string(error.message), secrets: secrets),
            "data": kept(.object(error.data.mapValues { .string($0) }), secrets: secrets),
        ]
    }

    /// A value as a log keeps it: redacted, and cut to a preview when too large.
    static func kept(_ value: JSONValue, secrets: [String]) -> JSONValue {
        let redacted = redact(value, secrets: secrets.filter { $0.count >= 4 })
        let text = redacted.jsonText
        guard text.utf8.count > maxValueBytes else { return redacted }
        return ["truncated": true, "bytes": .number(Double(text.utf8.count)), "preview": .string(String(decoding: text.utf8.prefix(maxValueBytes), as: UTF8.self))]
    }

    static func redact(_ value: JSONValue, secrets: [String]) -> JSONValue {
        switch value {
        case .string(var text):
            for secret in secrets where text.contains(secret) { text = text.replacingOccurrences(of: secret, with: "[redacted]") }
            return .string(text)
        case .array(let items):
            return .array(items.map { redact($0, secrets: secrets) })
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (name, member) in members {
                result[name] = OutboundHTTPClient.isSensitiveName(name) && member != .null ? "[redacted]" : redact(member, secrets: secrets)
            }
            return .object(result)
        default:
            return value
        }
    }
}
