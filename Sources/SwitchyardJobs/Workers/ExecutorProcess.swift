import Foundation
import Synchronization
import SwitchyardCore

/// One executor child process (`switchyard job-executor`): reads job lines on stdin, writes
/// result lines on stdout. The worker measures its memory and can kill it at any moment
/// without harming anything else.
final class ExecutorProcess: Sendable {
    private struct Output {
        var buffer = Data()
        var lines: [String] = []
        var waiter: CheckedContinuation<String?, Never>?
        var closed = false
    }

    private let process: Process
    private let stdin: FileHandle
    private let output = Mutex(Output())

    /// Starts the process.
    init(executable: String, arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // A crashing executor must exit at once (its worker sees the pipe close and retries the
        // job), not wait on the crash reporter.
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        let inPipe = Pipe()
        let outPipe = Pipe()
        process.standardInput = inPipe
        process.standardOutput = outPipe
        process.standardError = FileHandle.standardError
        self.process = process
        stdin = inPipe.fileHandleForWriting
        outPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            if data.isEmpty { handle.readabilityHandler = nil }
            self.received(data)
        }
        try ProcessLaunch.run(process)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The child's process id.
    var pid: Int32 { process.processIdentifier }

    /// Sends one line.
    func send(_ line: String) -> Bool {
        do {
            try stdin.write(contentsOf: Data((line + "\n").utf8))
            return true
        } catch {
            return false
        }
    }

    /// The next line, or `nil` once the process has closed its output (it exited or was killed).
    func nextLine() async -> String? {
        await withCheckedContinuation { continuation in
            let ready = output.withLock { output -> String?? in
                if !output.lines.isEmpty { return .some(output.lines.removeFirst()) }
                if output.closed { return .some(nil) }
                output.waiter = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Kills the process without waiting (its output closes; ``terminate()`` waits for it).
    func killAtOnce() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Kills the process and waits for it to be gone.
    func terminate() async {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        await ProcessLaunch.waitForExit(process, timeout: .seconds(10))
    }

    /// Resident memory in bytes (from `/proc/<pid>/statm`), or `nil` when it is gone.
    func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private func received(_ data: Data) {
        let resume = output.withLock { output -> (CheckedContinuation<String?, Never>, String?)? in
            if data.isEmpty {
                output.closed = true
            } else {
                output.buffer.append(data)
                while let newline = output.buffer.firstIndex(of: 0x0A) {
                    output.lines.append(String(decoding: output.buffer[output.buffer.startIndex..<newline], as: UTF8.self))
                    output.buffer.removeSubrange(output.buffer.startIndex...newline)
                }
                if output.buffer.count > 16 << 20 { output.buffer.removeAll() }
            }
            guard let waiter = output.waiter else { return nil }
            if !output.lines.isEmpty {
                output.waiter = nil
                return (waiter, output.lines.removeFirst())
            }
            if output.closed {
                output.waiter = nil
                return (waiter, nil)
            }
            return nil
        }
        if let (waiter, line) = resume { waiter.resume(returning: line) }
    }
}
