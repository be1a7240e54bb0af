import NIOCore
import NIOPosix
import Synchronization

/// Sleeps on an event loop's timer: like `Task.sleep`, except that a cancelled sleep lets go of
/// its timer at once (decision 0018).
///
/// A cancelled `Task.sleep` resumes at once, but its timer stays queued, holding the sleeping
/// task's memory, until the original deadline. Timers that are nearly always cancelled (a 30 s
/// limit around a 1 ms database call, one per request) then pile up: thousands of requests a
/// second kept about 300 MB alive in the api role. These do not.
package enum TimerSleep {
    /// Sleeps for `duration`.
    /// - Throws: `CancellationError` when the task is cancelled first.
    package static func sleep(for duration: Duration) async throws {
        let sleeper = Sleeper()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                sleeper.start(continuation, after: duration)
            }
        } onCancel: {
            sleeper.cancel()
        }
    }

    /// Sleeps until `deadline`.
    /// - Throws: `CancellationError` when the task is cancelled first.
    package static func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await sleep(for: deadline - .now)
    }

    /// Calls `fire` after `delay` on an event loop; returns what cancels it (and frees it at once).
    package static func schedule(after delay: Duration, _ fire: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
        let scheduled = NIOSingletons.posixEventLoopGroup.any().scheduleTask(in: timeAmount(delay), fire)
        return { scheduled.cancel() }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = max(duration, .zero).components
        let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return .nanoseconds(overflow ? .max : nanoseconds.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue)
    }
}

/// One sleep: resumed by its timer or by cancellation, whichever comes first.
private final class Sleeper: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Void, any Error>?
        var stopTimer: (@Sendable () -> Void)?
        var finished = false
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<Void, any Error>, after duration: Duration) {
        let cancelledAlready = state.withLock { state -> Bool in
            if state.finished { return true }
            state.continuation = continuation
            return false
        }
        if cancelledAlready {
            continuation.resume(throwing: CancellationError())
            return
        }
        let stopTimer = TimerSleep.schedule(after: duration) { self.fire() }
        let finished = state.withLock { state -> Bool in
            if !state.finished { state.stopTimer = stopTimer }
            return state.finished
        }
        if finished { stopTimer() }
    }

    private func fire() {
        let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard !state.finished else { return nil }
            state.finished = true
            state.stopTimer = nil
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume()
    }

    func cancel() {
        let (continuation, stopTimer) = state.withLock { state -> (CheckedContinuation<Void, any Error>?, (@Sendable () -> Void)?) in
            guard !state.finished else { return (nil, nil) }
            state.finished = true
            defer {
                state.continuation = nil
                state.stopTimer = nil
            }
            return (state.continuation, state.stopTimer)
        }
        stopTimer?()
        continuation?.resume(throwing: CancellationError())
    }
}
