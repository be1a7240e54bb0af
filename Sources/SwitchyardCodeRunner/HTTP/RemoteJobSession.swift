import Synchronization
import SwitchyardCore

/// The runner's side of one job run for a remote caller: the job's API calls become `request`
/// events on the response stream, and the caller's answers resolve them.
final class RemoteJobSession: SandboxAPIBridge, Sendable {
    let jobID: String
    let events: AsyncStream<RemoteJobEvent>
    private let continuation: AsyncStream<RemoteJobEvent>.Continuation
    private struct State {
        var nextRequestID = 1
        var pending: [Int: CheckedContinuation<RemoteJobResponse, Never>] = [:]
    }
    private let state = Mutex(State())

    init(jobID: String) {
        self.jobID = jobID
        (events, continuation) = AsyncStream.makeStream(of: RemoteJobEvent.self)
    }

    func emit(_ event: RemoteJobEvent) {
        continuation.yield(event)
    }

    func finish() {
        continuation.finish()
        let waiting = state.withLock { state in
            defer { state.pending = [:] }
            return state.pending
        }
        for (id, waiter) in waiting { waiter.resume(returning: RemoteJobResponse(requestID: id, error: "the job has finished")) }
    }

    /// Resolves a pending call; `false` when no call has that number.
    func resolve(_ response: RemoteJobResponse) -> Bool {
        let waiter = state.withLock { $0.pending.removeValue(forKey: response.requestID) }
        waiter?.resume(returning: response)
        return waiter != nil
    }

    func perform(_ request: SandboxAPIRequest) async throws -> JSONValue {
        let id = state.withLock { state -> Int in
            defer { state.nextRequestID += 1 }
            return state.nextRequestID
        }
        // A job that times out cancels its pending calls; the caller's late answer is then ignored.
        let response = await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<RemoteJobResponse, Never>) in
                let cancelled = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    state.pending[id] = waiter
                    return false
                }
                if cancelled {
                    waiter.resume(returning: RemoteJobResponse(requestID: id, error: "cancelled"))
                } else {
                    continuation.yield(RemoteJobEvent(event: "request", jobID: jobID, requestID: id, request: request))
                }
            }
        } onCancel: {
            _ = resolve(RemoteJobResponse(requestID: id, error: "cancelled"))
        }
        if let error = response.error { throw CodeRunError(.runtimeError, error) }
        return response.data ?? .null
    }
}

/// The jobs in flight for remote callers, by id, so their answers find them.
final class RemoteJobRegistry: Sendable {
    private let sessions = Mutex([String: RemoteJobSession]())

    func add(_ session: RemoteJobSession) { sessions.withLock { $0[session.jobID] = session } }
    func remove(_ jobID: String) { _ = sessions.withLock { $0.removeValue(forKey: jobID) } }
    func session(_ jobID: String) -> RemoteJobSession? { sessions.withLock { $0[jobID] } }
}
