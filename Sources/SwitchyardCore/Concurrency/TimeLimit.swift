import Synchronization

/// Runs `operation` and returns its result, or `nil` once `limit` has passed, without waiting
/// for an operation that ignores cancellation (it is cancelled and left behind). For the last
/// database calls of a shutdown, which must not hold the process when the database is gone.
///
/// The timer is an event loop's (``TimerSleep/schedule(after:_:)``) and stops as soon as the
/// operation finishes, so short operations under long limits (an API request under its 60 s
/// limit) leave nothing behind them.
package func withTimeLimit<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
    let outcome = FirstOutcome<T?>()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            outcome.attach(continuation)
            let work = Task {
                let value = await operation()
                outcome.resume(value)
            }
            outcome.arm(
                work: work,
                stopTimer: TimerSleep.schedule(after: limit) {
                    // Answer first: a cancelled operation may otherwise finish first, with an error.
                    outcome.resume(nil)
                    work.cancel()
                })
        }
    } onCancel: {
        // The caller was cancelled: so is the operation (it still gets until the limit to end).
        outcome.cancelWork()
    }
}

/// Resumes a continuation with whichever result arrives first, and stops the timer then.
private final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, Never>?
        var early: [T] = []
        var done = false
        var stopTimer: (@Sendable () -> Void)?
        var work: Task<Void, Never>?
        var cancelled = false
    }

    private let state = Mutex(State())

    func attach(_ continuation: CheckedContinuation<T, Never>) {
        let early = state.withLock { state -> [T] in
            if state.done { return state.early }
            state.continuation = continuation
            return []
        }
        if let value = early.first { continuation.resume(returning: value) }
    }

    /// Keeps the timer to stop when the result arrives (at once if it already has), and the
    /// work to cancel if the caller is cancelled (at once if it already was).
    func arm(work: Task<Void, Never>, stopTimer: @escaping @Sendable () -> Void) {
        let (done, cancelled) = state.withLock { state -> (Bool, Bool) in
            state.work = work
            if !state.done { state.stopTimer = stopTimer }
            return (state.done, state.cancelled)
        }
        if done { stopTimer() }
        if cancelled { work.cancel() }
    }

    /// Cancels the work (the caller was cancelled).
    func cancelWork() {
        let work = state.withLock { state -> Task<Void, Never>? in
            state.cancelled = true
            return state.work
        }
        work?.cancel()
    }

    func resume(_ value: T) {
        let (continuation, stopTimer) = state.withLock { state -> (CheckedContinuation<T, Never>?, (@Sendable () -> Void)?) in
            guard !state.done else { return (nil, nil) }
            state.done = true
            defer { state.stopTimer = nil }
            guard let continuation = state.continuation else {
                state.early = [value]
                return (nil, state.stopTimer)
            }
            state.continuation = nil
            return (continuation, state.stopTimer)
        }
        stopTimer?()
        continuation?.resume(returning: value)
    }
}
