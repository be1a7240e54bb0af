import Foundation
import Testing

import SwitchyardCore

/// Children started by `ProcessLaunch` survive the thread that asked for them: their
/// parent-death signal (what bubblewrap's `--die-with-parent` sets for the sandbox) fires only
/// when this process dies.
@Suite
struct ProcessLaunchTests {
    @Test("A command run to completion inherits no descriptor of this process but its standard ones")
    func runToCompletionClosesInheritedDescriptors() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { ends.forEach { close($0) } }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        // `pipe` makes descriptors a child inherits; the command looks for them in its own table.
        let script = "test -e /proc/$$/fd/\(readEnd) || test -e /proc/$$/fd/\(writeEnd) && exit 3; "
            + "test -e /proc/$$/fd/2 || exit 4; exit 0"
        #expect(try ProcessLaunch.runToCompletion("/bin/sh", ["-c", script]) == 0)
    }

    @Test(
        "A child with a parent-death signal outlives the short-lived thread that started it",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs setpriv (util-linux)")
    )
    func childOutlivesTheStartingThread() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--pdeathsig", "KILL", "--", "/bin/sleep", "30"]
        let box = Box(process)
        let started = DispatchSemaphore(value: 0)
        // A thread that starts the child and ends a moment later (after the child has set its
        // parent-death signal), as an idle dispatch thread is retired. Linux would then kill a
        // child that this thread had started itself (checked by hand: signal 9).
        let thread = Thread {
            box.error = Result { try ProcessLaunch.run(box.process) }.failure
            Thread.sleep(forTimeInterval: 0.3)
            started.signal()
        }
        thread.start()
        started.wait()
        #expect(box.error == nil, "\(String(describing: box.error))")
        try await Task.sleep(for: .milliseconds(500))
        #expect(process.isRunning, "the child was killed when the thread that started it ended (status \(process.isRunning ? 0 : process.terminationStatus))")
        kill(process.processIdentifier, SIGKILL)
        _ = await ProcessLaunch.waitForExit(process, timeout: .seconds(10))
    }

    private final class Box: @unchecked Sendable {
        let process: Process
        var error: (any Error)?
        init(_ process: Process) { self.process = process }
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
