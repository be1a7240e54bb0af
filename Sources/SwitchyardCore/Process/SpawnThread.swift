import Foundation

/// The one thread every child process is started from. Linux sends a child's parent-death
/// signal (`PR_SET_PDEATHSIG`, which bubblewrap's `--die-with-parent` sets) when the *thread*
/// that started it exits, not the process; the threads of libdispatch and of Swift's global
/// executor are retired when idle, so a sandbox started from one of them was killed (status 9)
/// at some random moment later. This thread lives as long as the process.
final class SpawnThread: @unchecked Sendable {
    static let shared = SpawnThread()

    private let condition = NSCondition()
    private var work: [@Sendable () -> Void] = []

    private init() {
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "switchyard-spawn"
        thread.start()
    }

    /// Runs `body` on the spawn thread and waits for it.
    func perform(_ body: @escaping @Sendable () throws -> Void) throws {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        condition.lock()
        work.append {
            do { try body() } catch { outcome.error = error }
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        if let error = outcome.error { throw error }
    }

    private func loop() {
        while true {
            condition.lock()
            while work.isEmpty { condition.wait() }
            let next = work.removeFirst()
            condition.unlock()
            next()
        }
    }

    /// What the spawn thread hands back (written before the semaphore is signalled, read after).
    private final class Outcome: @unchecked Sendable {
        var error: (any Error)?
    }
}
