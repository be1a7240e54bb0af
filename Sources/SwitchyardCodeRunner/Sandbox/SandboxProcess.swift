import Foundation
import Synchronization
import SwitchyardCore

#if canImport(Glibc)
import Glibc
#endif

/// One running sandbox: a locked-down Node process speaking line-delimited JSON on its stdin
/// and stdout. Its stderr is kept (last 8 KB) to tell an out-of-memory death from other exits.
final class SandboxProcess: @unchecked Sendable {
    // @unchecked: `process` and the pipes are set up in `init` and only read afterwards; every
    // mutable field lives in a Mutex.
    private let process = Process()
    private let stdin: FileHandle
    let inbox = SandboxInbox()
    /// A number for logs and tests.
    let id: Int
    /// When the process was started.
    let startedAt = ContinuousClock.now

    private struct Output {
        var line = Data()
        var stderr = Data()
        var stdoutClosed = false
        var stderrClosed = false
        var exitStatus: Int32?
        var killed = false
    }

    private let output = Mutex(Output())
    private let maxLineBytes: Int

    /// Starts a process and waits for its "ready" message.
    /// - Parameters:
    ///   - command: What to run.
    ///   - id: A number for logs.
    ///   - maxLineBytes: The longest message accepted; a longer one kills the process.
    ///   - timeout: How long to wait for "ready".
    static func start(command: SandboxCommand, id: Int, maxLineBytes: Int, timeout: Duration = .seconds(10)) async throws(CodeRunError) -> SandboxProcess {
        let sandbox: SandboxProcess
        do {
            sandbox = try SandboxProcess(command: command, id: id, maxLineBytes: maxLineBytes)
        } catch {
            throw CodeRunError(.unavailable, "cannot start a sandbox process: \(error.localizedDescription)")
        }
        let ready: SandboxEvent? = await withTaskGroup(of: SandboxEvent?.self) { group in
            group.addTask { await sandbox.inbox.next() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch ready {
        case .message(let message) where message.type == "ready":
            return sandbox
        case .exited(let status, let stderr):
            throw CodeRunError(.unavailable, "sandbox process exited at start (status \(status)): \(stderr.suffix(500))")
        default:
            sandbox.kill()
            throw CodeRunError(.unavailable, "sandbox process did not become ready within \(timeout)")
        }
    }

    private init(command: SandboxCommand, id: Int, maxLineBytes: Int) throws {
        self.id = id
        self.maxLineBytes = maxLineBytes
        process.executableURL = URL(fileURLWithPath: command.executable)
        process.arguments = command.arguments
        process.environment = [:]
        let inPipe = Pipe()
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardInput = inPipe
        process.standardOutput = outPipe
        process.standardError = errPipe
        stdin = inPipe.fileHandleForWriting
        outPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            if data.isEmpty {
                handle.readabilityHandler = nil
                self.streamClosed(stderr: false)
            } else {
                self.received(data)
            }
        }
        errPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            if data.isEmpty {
                handle.readabilityHandler = nil
                self.streamClosed(stderr: true)
            } else {
                self.output.withLock { output in
                    output.stderr.append(data)
                    if output.stderr.count > 8192 { output.stderr.removeFirst(output.stderr.count - 8192) }
                }
            }
        }
        process.terminationHandler = { [weak self] process in
            self?.terminated(status: process.terminationStatus)
        }
        // Foundation's launch is not thread-safe (it crashed under concurrent warm-pool refills).
        try ProcessLaunch.run(process)
    }

    deinit {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// Whether the process is still running.
    var isRunning: Bool { output.withLock { $0.exitStatus == nil && !$0.killed } }

    /// The operating-system process id.
    var processIdentifier: Int32 { process.processIdentifier }

    /// Sends one message (a JSON object followed by a newline).
    func send(_ data: Data) throws(CodeRunError) {
        do {
            try stdin.write(contentsOf: data + Data([0x0A]))
        } catch {
            throw CodeRunError(.unavailable, "sandbox process is gone")
        }
    }

    /// Kills the process (and, through `--die-with-parent` and the PID namespace, everything in it).
    func kill() {
        let alreadyKilled = output.withLock { output -> Bool in
            defer { output.killed = true }
            return output.killed
        }
        guard !alreadyKilled, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
    }

    private func received(_ data: Data) {
        var lines: [Data] = []
        var overflow = false
        output.withLock { output in
            output.line.append(data)
            while let newline = output.line.firstIndex(of: 0x0A) {
                lines.append(output.line[output.line.startIndex..<newline])
                output.line.removeSubrange(output.line.startIndex...newline)
            }
            if output.line.count > maxLineBytes { overflow = true }
        }
        let decoder = JSONDecoder()
        for line in lines where !line.isEmpty {
            if line.count > maxLineBytes {
                overflow = true
                break
            }
            guard let message = try? decoder.decode(SandboxMessage.self, from: line) else {
                kill()
                inbox.push(.garbage)
                return
            }
            inbox.push(.message(message))
        }
        if overflow {
            kill()
            inbox.push(.overflow)
        }
    }

    /// The process is over once it has exited and both of its output streams are drained, so the
    /// last words on stderr (an out-of-memory report) are always seen.
    private func streamClosed(stderr: Bool) {
        let status = output.withLock { output -> Int32? in
            if stderr { output.stderrClosed = true } else { output.stdoutClosed = true }
            return output.stdoutClosed && output.stderrClosed ? output.exitStatus : nil
        }
        if let status { finish(status: status) }
    }

    private func terminated(status: Int32) {
        let drained = output.withLock { output -> Bool in
            output.exitStatus = status
            return output.stdoutClosed && output.stderrClosed
        }
        if drained { finish(status: status) }
    }

    private func finish(status: Int32) {
        let stderr = output.withLock { String(decoding: $0.stderr, as: UTF8.self) }
        inbox.push(.exited(status: status, stderr: stderr))
        inbox.finish()
    }
}
