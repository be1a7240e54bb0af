/// Why a job failed, in terms the integration builder can act on.
package struct CodeRunError: Error, Sendable, Codable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    package struct Kind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        package let rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }

        /// The code does not parse; `line` and `column` say where.
        package static let syntaxError = Kind(rawValue: "syntax_error")
        /// The code threw, or returned something that is not JSON; `stack` has the JS stack.
        package static let runtimeError = Kind(rawValue: "runtime_error")
        /// The job ran past its wall-clock limit and was killed.
        package static let timeout = Kind(rawValue: "timeout")
        /// The job used more memory than allowed.
        package static let outOfMemory = Kind(rawValue: "out_of_memory")
        /// The result or the output stream was larger than allowed.
        package static let outputTooLarge = Kind(rawValue: "output_too_large")
        /// The code tried something the sandbox forbids (files, processes, network, modules).
        package static let sandboxViolation = Kind(rawValue: "sandbox_violation")
        /// The input or code was larger than allowed; no process was started.
        package static let inputTooLarge = Kind(rawValue: "input_too_large")
        /// Every job space was busy for longer than the queue wait.
        package static let busy = Kind(rawValue: "busy")
        /// The sandbox could not be started.
        package static let unavailable = Kind(rawValue: "unavailable")

        package var description: String { rawValue }
    }

    /// The kind of failure.
    package var type: Kind
    /// What happened.
    package var message: String
    /// The JavaScript stack, for runtime errors (frames of the runtime itself removed).
    package var stack: String?
    /// The line of a syntax error, from 1.
    package var line: Int?
    /// The column of a syntax error, from 1.
    package var column: Int?

    /// Creates an error.
    package init(_ type: Kind, _ message: String, stack: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.type = type
        self.message = message
        self.stack = stack
        self.line = line
        self.column = column
    }

    package var description: String { "\(type): \(message)" }
}
