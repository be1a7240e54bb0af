import Foundation
import Synchronization

/// Starts and waits for child processes safely.
///
/// swift-corelibs-foundation's `Process.run()` is not safe to call from several threads at once
/// (children whose exit was never noticed, leaving `waitUntilExit()` spinning at full CPU).
/// Every launch in the program goes through one lock, and waiting polls with a deadline instead
/// of spinning a run loop. Its scan of `/proc/self/fd` also copies each entry's whole 256-byte
/// name, so with more than about 1,350 descriptors open it can read past its buffer (a crash in
/// `memcpy`, seen in the test process): descriptors must not pile up, which is why
/// ``runToCompletion(_:_:)`` lets its commands (and the daemons they start) inherit none, and
/// why `scripts/test` runs at most 16 tests at once.
package enum ProcessLaunch {
    private static let lock = Mutex(())

    /// Starts a configured process.
    /// - Parameter process: The process, with executable, arguments and pipes set.
    /// It starts from ``SpawnThread`` (a thread that never exits), so a child's parent-death
    /// signal only fires when this process dies.
    package static func run(_ process: Process) throws {
        let box = ProcessBox(process)
        try lock.withLock { _ in try SpawnThread.shared.perform { try box.process.run() } }
    }

    /// Carries a `Process` (not `Sendable`) to the spawn thread, which only starts it.
    private final class ProcessBox: @unchecked Sendable {
        let process: Process
        init(_ process: Process) { self.process = process }
    }

    /// Waits for a started process to exit, without blocking a thread.
    /// - Parameters:
    ///   - process: The process.
    ///   - timeout: The longest wait; the process is killed after it.
    /// - Returns: The exit status, or `nil` when the process was killed at the deadline.
    @discardableResult
    package static func waitForExit(_ process: Process, timeout: Duration = .seconds(60)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                kill(process.processIdentifier, SIGKILL)
                return nil
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return process.terminationStatus
    }

    /// Waits for a started process to exit, blocking the calling thread (for synchronous
    /// callers; it sleeps between checks rather than spinning).
    @discardableResult
    package static func waitForExitBlocking(_ process: Process, timeout: Duration = .seconds(60)) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                kill(process.processIdentifier, SIGKILL)
                return nil
            }
            usleep(5000)
        }
        return process.terminationStatus
    }

    /// Runs a short command to completion with `posix_spawn` and `waitpid` on its own process
    /// id, output discarded. Foundation's child tracking missed some exits here (`runuser`
    /// starting a daemon), so commands whose status matters are reaped directly. The command
    /// inherits no descriptor but its standard ones: a daemon it starts would otherwise hold
    /// every pipe and socket this process had open, for as long as the daemon runs.
    /// - Returns: The exit status (128 + signal number when it was killed by a signal).
    package static func runToCompletion(_ executable: String, _ arguments: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        guard let closeFrom = addCloseFrom, closeFrom(&actions, 3) == 0 else {
            throw POSIXError(.ENOSYS)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = lock.withLock { _ in posix_spawn(&pid, executable, &actions, nil, argv, environ) }
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later; Debian 12 has 2.36),
    /// looked up at run time because Swift's Glibc module leaves out the GNU declarations.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()
}
