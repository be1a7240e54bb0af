import SwitchyardCore

/// A run's node runs as the run page's timeline: in the order they started, each with its
/// type, state, start and duration, input, output, logs and error (a failed node's details
/// open, so its error is the first thing read).
enum FlowRunTimeline {
    /// The template values of a run's `nodeRuns`.
    static func nodes(_ nodeRuns: JSONValue?) -> [[String: Any]] {
        let ordered = (nodeRuns?.arrayValue ?? []).enumerated().sorted { left, right in
            let (a, b) = (left.element["startedAt"]?.stringValue ?? "", right.element["startedAt"]?.stringValue ?? "")
            return a != b ? a < b : left.offset < right.offset
        }
        return ordered.map { _, node in
            let status = node["status"]?.stringValue
            var values: [String: Any] = [
                "key": node["nodeKey"]?.stringValue ?? "", "type": node["type"]?.stringValue ?? "",
                "statusLabel": FlowRunText.label(status), "statusTone": FlowRunText.tone(status), "failed": status == "failed",
                "started": ViewValue.time(node["startedAt"]?.stringValue),
            ]
            if let duration = node["durationMs"]?.numberValue { values["duration"] = FlowRunText.milliseconds(duration) }
            if let input = node["input"], input != .null { values["inputText"] = ViewValue.pretty(input) }
            if let output = node["output"], output != .null { values["outputText"] = ViewValue.pretty(output) }
            if let message = FlowRunText.error(node["error"]) {
                values["errorText"] = message
                if let data = node["error"]?["data"], data != .null { values["errorData"] = ViewValue.pretty(data) }
            }
            let logs = (node["logs"]?.arrayValue ?? []).map { entry in entry.stringValue ?? entry.jsonText }
            values["logs"] = logs.map { ["line": $0] }
            values["hasLogs"] = !logs.isEmpty
            return values
        }
    }
}
