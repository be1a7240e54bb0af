import Foundation
import SwitchyardCore

/// How the flow run pages word a run's and a node run's state and timings.
enum FlowRunText {
    /// The run states, as the filter offers them.
    static let statuses = ["queued", "running", "completed", "failed", "stopped"]

    /// A state in words (`Failed`, `Waiting`, …); the raw value for one the console does not know.
    static func label(_ status: String?) -> String {
        guard let status, !status.isEmpty else { return "Unknown" }
        return status.prefix(1).uppercased() + status.dropFirst()
    }

    /// A CSS class naming the kind of state (`ok`, `warn`, `bad`, `busy`), shown beside the words.
    static func tone(_ status: String?) -> String {
        switch status {
        case "completed": "ok"
        case "failed": "bad"
        case "stopped": "warn"
        default: "busy"
        }
    }

    /// The time between two ISO 8601 timestamps, as `1.25 s` or `340 ms`; `""` when one is missing.
    static func duration(from start: String?, to end: String?) -> String {
        guard let start = start.flatMap(parse), let end = end.flatMap(parse) else { return "" }
        return milliseconds(max(0, end.timeIntervalSince(start) * 1000))
    }

    /// Milliseconds in words.
    static func milliseconds(_ value: Double) -> String {
        value < 1000 ? "\(Int(value.rounded())) ms" : String(format: "%.2f s", value / 1000)
    }

    /// An error object (`{key, message, nodeKey, data}`) in one sentence.
    static func error(_ error: JSONValue?) -> String? {
        guard let error, error != .null else { return nil }
        let message = error["message"]?.stringValue ?? error.jsonText
        let key = error["key"]?.stringValue.map { " (\($0))" } ?? ""
        return message.prefix(1).uppercased() + message.dropFirst() + key
    }

    private static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
