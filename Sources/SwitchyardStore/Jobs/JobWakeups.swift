import Synchronization
import SwitchyardCore

/// Wakes waiting workers when jobs become available. Fed by PostgreSQL notifications or, on
/// SQLite, directly by the store; workers also poll, so a lost wake-up only costs latency.
package final class JobWakeups: Sendable {
    private struct Waiter {
        var queue: JobQueueName
        var continuation: CheckedContinuation<Void, Never>
    }

    private let state = Mutex<(next: Int, waiters: [Int: Waiter], pending: Set<JobQueueName>)>((0, [:], []))

    /// Creates a wake-up source.
    package init() {}

    /// Wakes every worker waiting on a queue (or remembers it for the next one that waits).
    package func signal(_ queue: JobQueueName) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            let matching = state.waiters.filter { $0.value.queue == queue }
            guard !matching.isEmpty else {
                state.pending.insert(queue)
                return []
            }
            for key in matching.keys { state.waiters[key] = nil }
            return matching.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Waits until the queue is signalled, the timeout passes, or the task is cancelled.
    package func wait(for queue: JobQueueName, timeout: Duration) async {
        let id = state.withLock { state -> Int? in
            if state.pending.remove(queue) != nil { return nil }
            state.next += 1
            return state.next
        }
        guard let id else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let resumeNow = self.state.withLock { state -> Bool in
                            if Task.isCancelled || state.pending.remove(queue) != nil { return true }
                            state.waiters[id] = Waiter(queue: queue, continuation: continuation)
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    self.state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
                }
            }
            group.addTask { try? await TimerSleep.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}
