import SwitchyardCore

/// A message a sandbox process wrote on stdout.
struct SandboxMessage: Decodable, Sendable {
    var type: String
    var jobId: String?
    var requestId: Int?
    var client: String?
    var method: String?
    var path: String?
    var data: JSONValue?
    var options: JSONValue?
    var ok: Bool?
    var valueJSON: String?
    var logs: [CodeLogLine]?
    var durationMs: Double?
    var error: CodeRunError?
}

/// What can happen to a sandbox process, in order.
enum SandboxEvent: Sendable {
    /// It wrote a message.
    case message(SandboxMessage)
    /// It wrote a line longer than allowed (it has been killed).
    case overflow
    /// It wrote something that is not a message (it has been killed).
    case garbage
    /// It exited; `stderr` is the tail of what it wrote there.
    case exited(status: Int32, stderr: String)
}
