import SwitchyardCore

/// Runs `operation` until `deadline`: past it the operation is cancelled and `timeoutError` is
/// thrown. Used for every phase of an outbound exchange (resolution, response head, body), since
/// async-http-client's own deadline stops at the response head.
func withDeadline<T: Sendable>(
    _ deadline: ContinuousClock.Instant,
    timeoutError: SwitchyardError,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard ContinuousClock.now < deadline else { throw timeoutError }
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await TimerSleep.sleep(until: deadline)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw timeoutError }
        return value
    }
}

extension Duration {
    /// `1 s`, `1.5 s`, `250 ms`, for messages.
    var shortText: String {
        let milliseconds = Int64(components.seconds) * 1000 + components.attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
        return "\(Double(milliseconds) / 1000) s"
    }

    /// Whole milliseconds.
    var wholeMilliseconds: Int {
        Int(components.seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000)
    }
}
