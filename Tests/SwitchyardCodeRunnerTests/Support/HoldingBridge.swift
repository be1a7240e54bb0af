import SwitchyardCore
import Synchronization
import Testing

@testable import SwitchyardCodeRunner

/// A bridge that holds every API call until the test releases it: a job that calls
/// `externalApiClient` stays running, and holds its job space, for exactly as long as the test
/// wants, with no guess at how long a sleep should be.
final class HoldingBridge: SandboxAPIBridge, Sendable {
    /// JavaScript that calls the bridge once, then returns `'ok'`.
    static let heldCode = "module.exports = async ({ externalApiClient }) => { await externalApiClient.get('/hold'); return 'ok' }"

    private struct State {
        var arrived = 0
        var released = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// How many calls have arrived (held or let through).
    var arrived: Int { state.withLock { $0.arrived } }

    /// Counts the call and holds it until ``release()``; then answers `"released"`.
    func perform(_ request: SandboxAPIRequest) async throws -> JSONValue {
        await withCheckedContinuation { continuation in
            let goOn = state.withLock { state -> Bool in
                state.arrived += 1
                if state.released { return true }
                state.waiting.append(continuation)
                return false
            }
            if goOn { continuation.resume() }
        }
        return "released"
    }

    /// Lets every held call, and every later one, through.
    func release() {
        let waiting = state.withLock { state in
            state.released = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Waits until `count` calls have arrived; fails the test after `timeout`.
    func waitForArrivals(_ count: Int, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while arrived < count {
            guard ContinuousClock.now < deadline else {
                Issue.record("\(arrived) of \(count) calls arrived within \(timeout)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
