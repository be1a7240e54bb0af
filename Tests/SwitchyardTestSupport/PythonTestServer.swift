import Dispatch
import Foundation
import Synchronization

import SwitchyardCore

/// A Python test server (a module from `Tests/Servers`) on 127.0.0.1, on a port the kernel
/// picks: the module binds port 0 and prints the port as its first line of standard output.
/// The interpreter is `SWITCHYARD_TEST_PYTHON` (`scripts/lib/test-python.sh` sets it to a venv
/// with httpbin, Flask, werkzeug and Authlib).
///
/// The server exits when ``stop()`` kills it, and also by itself when its standard input
/// closes, so a server shared by a whole test run does not outlive the test process.
package final class PythonTestServer: Sendable {
    /// The port it listens on (127.0.0.1 only).
    package let port: Int
    /// `http://127.0.0.1:<port>`.
    package var baseURL: String { "http://127.0.0.1:\(port)" }

    private let processID: Int32
    private let process: ProcessBox

    /// The interpreter, from `SWITCHYARD_TEST_PYTHON`.
    package static var python: String? {
        ProcessInfo.processInfo.environment["SWITCHYARD_TEST_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// When set (by `scripts/test`), tests needing Python fail instead of skipping.
    package static var requireAll: Bool { ProcessInfo.processInfo.environment["SWITCHYARD_TEST_REQUIRE_ALL"] == "1" }

    /// Whether tests needing a Python server can run (or must, under `scripts/test`). For
    /// `.enabled(if:)`; prints why they are skipped when they are.
    package static var available: Bool {
        if python != nil || requireAll { return true }
        skipNotice
        return false
    }

    private static let skipNotice: Void = {
        print("[PythonTestServer] SWITCHYARD_TEST_PYTHON is not set: tests against Python servers are skipped (scripts/test sets it up)")
    }()

    /// The folder of the server modules: `Tests/Servers` in the repository.
    package static var serversDirectory: String {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Servers").path
    }

    private init(port: Int, process: ProcessBox) {
        self.port = port
        self.process = process
        self.processID = process.process.processIdentifier
    }

    /// Starts a server module and waits until it listens.
    /// - Parameters:
    ///   - module: The file name in `Tests/Servers`, for example `httpbin_server.py`.
    ///   - timeout: How long the server may take to print its port.
    /// - Throws: When the interpreter is not configured, or the server exits or stays silent.
    ///   - arguments: Command-line arguments for the server.
    package static func start(_ module: String, arguments: [String] = [], timeout: Duration = .seconds(60)) async throws -> PythonTestServer {
        guard let python else { throw TestServerError("SWITCHYARD_TEST_PYTHON is not set; run scripts/test or source scripts/lib/test-python.sh") }
        let script = serversDirectory + "/" + module
        // Launching and reading the first line block: on a GCD thread, never a cooperative one.
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try launch(python: python, script: script, arguments: arguments, timeout: timeout) })
            }
        }
    }

    private static func launch(python: String, script: String, arguments: [String], timeout: Duration) throws -> PythonTestServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-u", script] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        process.environment = environment
        let output = Pipe()
        let input = Pipe()
        let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-pyserver-\(UUID().uuidString.prefix(8)).log")
        guard FileManager.default.createFile(atPath: errorLog.path, contents: nil) else {
            throw TestServerError("cannot create \(errorLog.path)")
        }
        let errorHandle = try FileHandle(forWritingTo: errorLog)
        defer { try? errorHandle.close() }
        process.standardOutput = output
        process.standardError = errorHandle
        process.standardInput = input
        try ProcessLaunch.run(process)
        let box = ProcessBox(process: process, input: input, errorLog: errorLog.path)

        // Kill a server that says nothing in time: its stdout then ends, and the read below returns.
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            if !box.answered.load(ordering: .acquiring) { kill(box.process.processIdentifier, SIGKILL) }
        }
        var line: [UInt8] = []
        let reader = output.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            line.append(contentsOf: chunk)
        }
        box.answered.store(true, ordering: .releasing)
        let firstLine = String(decoding: line.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        // `8080` or `PORT 8080`.
        guard let port = Int(firstLine.hasPrefix("PORT ") ? String(firstLine.dropFirst(5)) : firstLine), (1...65535).contains(port) else {
            box.terminate()
            throw TestServerError("\(script) did not print its port (first line: '\(firstLine)'); its stderr:\n\(box.errorTail)")
        }
        return PythonTestServer(port: port, process: box)
    }

    /// Stops the server and waits for it to exit.
    package func stop() async {
        kill(processID, SIGTERM)
        await ProcessLaunch.waitForExit(process.process, timeout: .seconds(10))
        process.cleanUp()
    }

    /// The end of the server's standard error, for a failing test's message.
    package var errorTail: String { process.errorTail }
}

/// Why a test server could not start.
package struct TestServerError: Error, CustomStringConvertible {
    /// What went wrong, with the server's stderr when it said something.
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// The process and its pipes. `Process` is not `Sendable`; after launch it is only read
/// (`processIdentifier`, `isRunning`), which Foundation allows from any thread.
private final class ProcessBox: @unchecked Sendable {
    let process: Process
    let input: Pipe
    let errorLog: String
    let answered = Atomic<Bool>(false)

    init(process: Process, input: Pipe, errorLog: String) {
        self.process = process
        self.input = input
        self.errorLog = errorLog
    }

    var errorTail: String {
        let text = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
        return String(text.suffix(4000))
    }

    func terminate() {
        kill(process.processIdentifier, SIGKILL)
        ProcessLaunch.waitForExitBlocking(process, timeout: .seconds(5))
        cleanUp()
    }

    func cleanUp() {
        try? input.fileHandleForWriting.close()
        try? FileManager.default.removeItem(atPath: errorLog)
    }
}
