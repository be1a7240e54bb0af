import Synchronization

/// Runs `operation` and returns its result, or `nil` once `limit` has passed, without waiting
/// for an operation that ignores cancellation (it is cancelled and left behind). For the last
/// database calls of a shutdown, which must not hold the process when the database is gone.
func withTimeLimit<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
    let outcome = FirstOutcome<T?>()
    return await withCheckedContinuation { continuation in
        outcome.attach(continuation)
        let work = Task {
            let value = await operation()
            outcome.resume(value)
        }
        Task {
            try? await Task.sleep(for: limit)
            work.cancel()
            outcome.resume(nil)
        }
    }
}

/// Resumes a continuation with whichever result arrives first.
private final class FirstOutcome<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, Never>?, early: [T], done: Bool)>((nil, [], false))

    func attach(_ continuation: CheckedContinuation<T, Never>) {
        let early = state.withLock { state -> [T] in
            if state.done { return state.early }
            state.continuation = continuation
            return []
        }
        if let value = early.first { continuation.resume(returning: value) }
    }

    func resume(_ value: T) {
        let continuation = state.withLock { state -> CheckedContinuation<T, Never>? in
            guard !state.done else { return nil }
            state.done = true
            guard let continuation = state.continuation else {
                state.early = [value]
                return nil
            }
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: value)
    }
}
