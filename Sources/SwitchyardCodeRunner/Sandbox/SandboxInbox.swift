import Synchronization

/// A single-reader queue of a process's events that successive jobs can read from in turn
/// (an `AsyncStream` may only be iterated once). A reader whose task is cancelled gets `nil`.
final class SandboxInbox: Sendable {
    private struct State {
        var buffered: [SandboxEvent] = []
        var waiter: CheckedContinuation<SandboxEvent?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    /// Adds an event; wakes the reader if it is waiting.
    func push(_ event: SandboxEvent) {
        let waiter = state.withLock { state -> CheckedContinuation<SandboxEvent?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffered.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// Marks the end: after the buffered events, readers get `nil`.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<SandboxEvent?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next event, waiting for one; `nil` when finished or when the task is cancelled.
    func next() async -> SandboxEvent? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate: SandboxEvent?? = state.withLock { state in
                    if !state.buffered.isEmpty { return .some(state.buffered.removeFirst()) }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<SandboxEvent?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
