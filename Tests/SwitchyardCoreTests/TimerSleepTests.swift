import Synchronization
import Testing

import SwitchyardCore

@Suite("Timer sleeps and time limits on the event loops")
struct TimerSleepTests {
    @Test("A sleep lasts its duration; a cancelled one ends at once with CancellationError")
    func sleepAndCancel() async throws {
        let started = ContinuousClock.now
        try await TimerSleep.sleep(for: .milliseconds(50))
        #expect(ContinuousClock.now - started >= .milliseconds(50))

        let sleeping = Task { try await TimerSleep.sleep(for: .seconds(600)) }
        let cancelledAt = ContinuousClock.now
        sleeping.cancel()
        await #expect(throws: CancellationError.self) { try await sleeping.value }
        #expect(ContinuousClock.now - cancelledAt < .seconds(10))

        // A task cancelled before it starts sleeping does not sleep.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await TimerSleep.sleep(for: .seconds(600))
        }
        await #expect(throws: CancellationError.self) { try await early.value }
    }

    @Test("A scheduled call runs once after its delay, and not at all once cancelled")
    func scheduleAndCancel() async throws {
        let fired = Mutex(0)
        _ = TimerSleep.schedule(after: .milliseconds(20)) { fired.withLock { $0 += 1 } }
        let stop = TimerSleep.schedule(after: .milliseconds(20)) { fired.withLock { $0 += 100 } }
        stop()
        let deadline = ContinuousClock.now + .seconds(10)
        while fired.withLock({ $0 }) == 0, ContinuousClock.now < deadline { try await TimerSleep.sleep(for: .milliseconds(10)) }
        try await TimerSleep.sleep(for: .milliseconds(100))
        #expect(fired.withLock { $0 } == 1)
    }

    @Test("withTimeLimit answers nil at the limit, and the operation's value before it")
    func timeLimit() async {
        #expect(await withTimeLimit(.seconds(30)) { 7 } == 7)
        let started = ContinuousClock.now
        let stuck: Int? = await withTimeLimit(.milliseconds(100)) {
            try? await TimerSleep.sleep(for: .seconds(600))
            return 1
        }
        #expect(stuck == nil)
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
