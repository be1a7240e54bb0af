import Foundation
import Logging
import SwitchyardCore
import SwitchyardStore
import Synchronization

/// The external API log in the store: every attempt becomes an `external_api_logs` record of
/// the connection's tenant (requests carry `workspace`, `tenant` and `connection` tags), already
/// redacted by the client. Entries are buffered and written in one batch every
/// `flushInterval`, so logging adds no database round trip to a proxied request; the buffer is
/// bounded (the oldest entries are dropped and counted when the database cannot keep up).
package final class StoredExternalAPILogSink: ExternalAPILogSink {
    private let records: any RecordStore
    private let flushInterval: Duration
    private let capacity: Int
    private let logger: Logger
    private let buffer = Mutex<(entries: [ExternalAPILogEntry], dropped: Int)>(([], 0))

    /// Creates a sink; ``run()`` writes what it collects.
    package init(records: any RecordStore, flushInterval: Duration = .milliseconds(200), capacity: Int = 10_000, logger: Logger) {
        self.records = records
        self.flushInterval = flushInterval
        self.capacity = capacity
        self.logger = logger
    }

    package func record(_ entry: ExternalAPILogEntry) async {
        guard entry.tags["workspace"] != nil else { return }
        buffer.withLock { buffer in
            if buffer.entries.count >= capacity {
                buffer.entries.removeFirst()
                buffer.dropped += 1
            }
            buffer.entries.append(entry)
        }
    }

    /// Writes buffered entries until cancelled, then once more.
    package func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: flushInterval)
            await flush()
        }
        await flush()
    }

    /// Writes what is buffered now.
    package func flush() async {
        let (entries, dropped) = buffer.withLock { buffer in
            defer { buffer = ([], 0) }
            return (buffer.entries, buffer.dropped)
        }
        if dropped > 0 { logger.warning("external API log entries dropped: the database could not keep up", metadata: ["dropped": "\(dropped)"]) }
        guard !entries.isEmpty else { return }
        let writes: [RecordWrite] = entries.compactMap { entry in
            guard let workspace = entry.tags["workspace"] else { return nil }
            let tenant = entry.tags["tenant"].flatMap { $0.isEmpty ? nil : $0 }
            let scope = tenant.map { StoreScope.tenant($0, in: workspace) } ?? .workspace(workspace)
            return .insert(
                NewRecord(kind: .externalAPILogs, tenantID: tenant, parentID: entry.tags["connection"], document: Self.document(entry)), scope: scope)
        }
        do {
            _ = try await records.apply(writes)
        } catch {
            logger.warning("external API log entries could not be stored", metadata: ["count": "\(writes.count)", "error": "\(error.message)"])
        }
    }

    static func document(_ entry: ExternalAPILogEntry) -> JSONValue {
        func headers(_ list: [ExternalAPILogEntry.Header]) -> JSONValue {
            .array(list.map { ["name": .string($0.name), "value": .string($0.value)] })
        }
        var members: [String: JSONValue] = [
            "exchangeId": .string(entry.exchangeID.uuidString), "method": .string(entry.method), "url": .string(entry.url),
            "host": .string(entry.host),
            "attempt": .number(Double(entry.attempt)), "redirect": .number(Double(entry.redirect)), "requestHeaders": headers(entry.requestHeaders),
            "requestBodyBytes": .number(Double(entry.requestBodyBytes)), "responseHeaders": headers(entry.responseHeaders),
            "responseBodyBytes": .number(Double(entry.responseBodyBytes)), "sent": .bool(entry.sent),
            "durationMs": .number(Double(entry.durationMilliseconds)),
            "startedAt": .string(ISO8601Time.string(microseconds: Int64(entry.startedAt.timeIntervalSince1970 * 1_000_000))),
        ]
        if let value = entry.status { members["status"] = .number(Double(value)) }
        if let value = entry.error { members["error"] = .string(value) }
        if let value = entry.requestBodyPreview { members["requestBodyPreview"] = .string(value) }
        if let value = entry.responseBodyPreview { members["responseBodyPreview"] = .string(value) }
        if let value = entry.tags["connection"] { members["connectionId"] = .string(value) }
        if let value = entry.tags["purpose"] { members["purpose"] = .string(value) }
        if let value = entry.requestID { members["requestId"] = .string(value) }
        return .object(members)
    }
}
