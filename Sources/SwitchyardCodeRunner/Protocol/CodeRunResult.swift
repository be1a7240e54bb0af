import SwitchyardCore

/// One line the job wrote with `console`.
package struct CodeLogLine: Sendable, Codable, Equatable {
    /// `debug`, `info`, `warn` or `error`.
    package var level: String
    /// The text.
    package var message: String

    /// Creates a log line.
    package init(level: String, message: String) {
        self.level = level
        self.message = message
    }
}

/// What a job produced: its value or a typed error, its console output, and how long it ran.
package struct CodeRunResult: Sendable, Codable, Equatable {
    /// The returned value, when the job succeeded.
    package var value: JSONValue?
    /// The error, when it failed.
    package var error: CodeRunError?
    /// Captured console output (bounded).
    package var logs: [CodeLogLine]
    /// Time spent in the sandbox, in milliseconds.
    package var durationMilliseconds: Double

    /// Creates a result.
    package init(value: JSONValue? = nil, error: CodeRunError? = nil, logs: [CodeLogLine] = [], durationMilliseconds: Double = 0) {
        self.value = value
        self.error = error
        self.logs = logs
        self.durationMilliseconds = durationMilliseconds
    }

    /// A failed result.
    package static func failure(_ error: CodeRunError, logs: [CodeLogLine] = [], durationMilliseconds: Double = 0) -> CodeRunResult {
        CodeRunResult(error: error, logs: logs, durationMilliseconds: durationMilliseconds)
    }
}
