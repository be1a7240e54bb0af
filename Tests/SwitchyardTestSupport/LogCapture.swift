import Logging
import Synchronization

/// Collects every log line a logger writes (message and metadata, at every level), so a test
/// can search them for what must not be there.
package final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    /// Creates an empty capture.
    package init() {}

    /// A logger writing here, at trace level.
    package var logger: Logger {
        Logger(label: "switchyard.test.outbound") { label in CapturingLogHandler(capture: self, label: label) }
    }

    /// Every line so far, with its metadata (`level label: message key=value …`).
    package var text: String { lines.withLock { $0.joined(separator: "\n") } }

    /// How many lines so far.
    package var count: Int { lines.withLock { $0.count } }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }
}

private struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    let label: String
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        capture.append("\(event.level) \(label): \(event.message) \(fields)")
    }
}
