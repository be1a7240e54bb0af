import Foundation
import SwitchyardCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real `switchyard` process started by a test, with a clean environment, its own data
/// directory and a free port, and its output captured.
final class SwitchyardProcess: @unchecked Sendable {
    // @unchecked: `process` is configured before launch and only read afterwards;
    // the output buffers are themselves thread-safe.
    let process = Process()
    let stdout = OutputBuffer()
    let stderr = OutputBuffer()
    let dataDirectory: String

    /// Everything the process printed, both streams.
    var output: String { stdout.text + stderr.text }

    /// Launches `switchyard` with arguments and environment variables (nothing is inherited
    /// but `PATH`). `DATA_DIR` defaults to a fresh directory and `PORT` to 0. `input`, when
    /// given, is the process's standard input (then closed).
    init(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws {
        let binary = try #require(TestEnvironment.binaryPath, "the switchyard binary is not built; run `swift build` first")
        dataDirectory = try environment["DATA_DIR"] ?? TestEnvironment.temporaryDirectory()
        var env = ["PATH": TestEnvironment.environment["PATH"] ?? "/usr/bin:/bin", "DATA_DIR": dataDirectory, "PORT": "0"]
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap") && !TestEnvironment.requireAll {
            // Without bubblewrap (a plain `swift test` on a bare machine) the code runner role
            // would refuse to start; scripts/test installs it, so the sandbox is always tested there.
            env["CUSTOM_CODE_UNSAFE_NO_SANDBOX"] = "1"
        }
        env.merge(environment) { _, new in new }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: dataDirectory)
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let out = stdout
        let err = stderr
        for (pipe, buffer) in [(outPipe, out), (errPipe, err)] {
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let chunk = handle.availableData
                buffer.append(chunk)
                if chunk.isEmpty { handle.readabilityHandler = nil }
            }
        }
        let inPipe = input.map { _ in Pipe() }
        if let inPipe { process.standardInput = inPipe }
        try ProcessLaunch.run(process)
        if let inPipe, let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
        }
    }

    /// Runs a command to completion and returns its exit status and output.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], input: String? = nil, timeout: Duration = .seconds(60)
    ) async throws
        -> (status: Int32, output: String)
    {
        let child = try SwitchyardProcess(arguments, environment: environment, input: input)
        let status = try await child.waitForExit(timeout: timeout)
        return (status, child.output)
    }

    /// A fresh data directory whose embedded database is migrated, for roles that refuse an
    /// unmigrated database.
    static func migratedDataDirectory(environment: [String: String] = [:]) async throws -> String {
        let directory = try TestEnvironment.temporaryDirectory()
        var environment = environment
        environment["DATA_DIR"] = directory
        let result = try await run(["migrate"], environment: environment)
        #expect(result.status == 0, "migrate failed: \(result.output)")
        return directory
    }

    /// Waits for the "listening on" line and returns the bound port.
    func waitForPort(timeout: Duration = .seconds(60)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let port = Self.port(in: stdout.text) { return port }
            if !process.isRunning {
                Issue.record("switchyard exited (\(process.terminationStatus)) before listening:\n\(output)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("switchyard did not listen within \(timeout):\n\(output)")
        throw CancellationError()
    }

    /// Waits until the output contains a text; fails the test if the process exits first or
    /// the timeout passes.
    func waitForOutput(_ text: String, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !output.contains(text) {
            if !process.isRunning {
                Issue.record("switchyard exited (\(process.terminationStatus)) before printing \"\(text)\":\n\(output)")
                throw CancellationError()
            }
            guard ContinuousClock.now < deadline else {
                Issue.record("switchyard did not print \"\(text)\" within \(timeout):\n\(output)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits until `GET /` answers 200 and returns the port.
    func waitUntilHealthy(timeout: Duration = .seconds(60)) async throws -> Int {
        let port = try await waitForPort(timeout: timeout)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let response = try? await TestHTTP.get(port: port, path: "/"), response.status == 200 { return port }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("switchyard did not become healthy within \(timeout):\n\(output)")
        throw CancellationError()
    }

    /// Sends a signal (SIGTERM by default).
    func signal(_ signal: Int32 = SIGTERM) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its status; kills it on timeout.
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                signal(SIGKILL)
                Issue.record("switchyard did not exit within \(timeout):\n\(output)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        // Read the pipes to their end (a loaded machine may deliver the last output well after
        // the exit); a child process still holding them open is given 5 s at most.
        let drained = ContinuousClock.now + .seconds(5)
        while !(stdout.isClosed && stderr.isClosed) && ContinuousClock.now < drained {
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Stops the process (SIGTERM) and waits for it.
    @discardableResult
    func stop() async throws -> Int32 {
        if process.isRunning { signal(SIGTERM) }
        return try await waitForExit()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    static func port(in text: String) -> Int? {
        guard let range = text.range(of: "listening on http://") else { return nil }
        let rest = text[range.upperBound...]
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let digits = rest[rest.index(after: colon)...].prefix { $0.isNumber }
        return Int(digits)
    }
}
