import Logging
import PostgresNIO
import Synchronization
import SwitchyardCore

/// A `PostgresClient` pool under a watchdog. After a database restart a pool can end up with
/// requests queued and no connection being made for them (nothing new arrives to prompt one:
/// every caller is already waiting). The watchdog notices requests that have waited with none
/// finishing, sends a trivial query through the pool (which prompts a new connection), and if
/// even that is not served while a fresh direct connection to the database works, replaces the
/// pool: the old one is shut down, failing what waited in it (callers retry), and the new one
/// serves from then on.
///
/// A single request can also hang while the pool serves others (a query sent on a connection
/// the server dropped, whose answer never comes). Every request therefore has a time limit
/// (`abandonAfter`): past it the caller gets `unavailable` and goes on, and the watchdog replaces
/// the pool once the database answers, which closes the connections such requests hang on.
package final class SupervisedPostgresClient: Sendable {
    /// When the watchdog acts.
    package struct Watchdog: Sendable {
        /// Requests waiting this long with none finishing get a trivial query sent after them.
        package var nudgeAfter: Duration
        /// A trivial query unserved this long, with the database answering, replaces the pool.
        package var replaceAfter: Duration
        /// A request still unanswered this long is given up (the caller gets `unavailable`).
        package var abandonAfter: Duration
        /// A pool younger than this is left alone: opening its first connections may take a
        /// while on a loaded machine, and a slow start is not a stall.
        package var startGrace: Duration

        /// Creates settings.
        package init(
            nudgeAfter: Duration = .seconds(2), replaceAfter: Duration = .seconds(30), abandonAfter: Duration = .seconds(30), startGrace: Duration = .seconds(10)
        ) {
            self.nudgeAfter = nudgeAfter
            self.replaceAfter = replaceAfter
            self.abandonAfter = abandonAfter
            self.startGrace = startGrace
        }
    }

    private struct State {
        var client: PostgresClient
        var running: Task<Void, Never>?
        /// When the pool in service started.
        var startedAt = ContinuousClock.now
        var inFlight = 0
        var lastProgress = ContinuousClock.now
        var nudgeSince: ContinuousClock.Instant?
        var replacements = 0
        var abandoned = 0
        /// Which pool requests went to (bumped by every replacement).
        var generation = 0
        var nextRequest = 0
        /// How to give up each request in flight, by request number, with its pool's generation.
        var giveUps: [Int: (generation: Int, giveUp: @Sendable () -> Void)] = [:]
    }

    private let state: Mutex<State>
    private let configuration: PostgresClient.Configuration
    private let directConfiguration: PostgresConnection.Configuration
    private let watchdog: Watchdog
    private let logger: Logger

    init(configuration: PostgresClient.Configuration, direct: PostgresConnection.Configuration, watchdog: Watchdog, logger: Logger) {
        self.configuration = configuration
        directConfiguration = direct
        self.watchdog = watchdog
        self.logger = logger
        state = Mutex(State(client: PostgresClient(configuration: configuration, backgroundLogger: logger)))
    }

    /// The pool in service now.
    var client: PostgresClient { state.withLock { $0.client } }

    /// How many times the watchdog replaced the pool.
    package var replacements: Int { state.withLock { $0.replacements } }

    /// Runs `body` against the current pool, counted as in flight while it runs.
    ///
    /// The caller gets an answer from whichever comes first: the work, its time limit, the
    /// caller's cancellation, or the pool being replaced (requests waiting in a replaced pool
    /// may never be served; they fail so their callers can retry on the new one). Work left
    /// behind is cancelled, never awaited.
    /// - Parameter limited: Whether the request is given up after `abandonAfter` (migrations,
    ///   which may rightly take long, are not).
    /// - Throws: What `body` throws, or `unavailable` when the request was given up.
    func use<T: Sendable>(limited: Bool = true, _ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let (client, number, generation) = state.withLock { state in
            if state.inFlight == 0 { state.lastProgress = .now }
            state.inFlight += 1
            state.nextRequest += 1
            return (state.client, state.nextRequest, state.generation)
        }
        let outcome = RequestOutcome<T>()
        let work = Task {
            do {
                outcome.finish(.success(try await body(client)))
            } catch {
                outcome.finish(.failure(error))
            }
        }
        state.withLock { state in
            state.giveUps[number] = (generation, {
                outcome.finish(.failure(SwitchyardError(.unavailable, "the PostgreSQL connection pool was replaced while this request waited; retry")))
                work.cancel()
            })
        }
        // An event loop's timer, freed as soon as the request ends (a cancelled `Task.sleep` would
        // hold its memory for the whole limit: decision 0018).
        var stopTimer: (@Sendable () -> Void)?
        if limited {
            let limit = watchdog.abandonAfter
            stopTimer = TimerSleep.schedule(after: limit) {
                guard outcome.finish(.failure(SwitchyardError(.unavailable, "PostgreSQL did not answer within \(limit)"))) else { return }
                work.cancel()
                self.state.withLock { $0.abandoned += 1 }
                self.logger.warning("a PostgreSQL request got no answer in time and was given up", metadata: ["limit": "\(limit)"])
            }
        }
        let result = await withTaskCancellationHandler {
            await outcome.wait()
        } onCancel: {
            outcome.finish(.failure(CancellationError()))
            work.cancel()
        }
        stopTimer?()
        state.withLock { state in
            state.inFlight -= 1
            state.lastProgress = .now
            state.giveUps[number] = nil
        }
        return try result.get()
    }

    /// Runs the pool, and the watchdog, until the task is cancelled.
    func run() async {
        start(client)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled { break }
            await check()
        }
        let running = state.withLock { $0.running }
        running?.cancel()
        // A wedged pool may never finish shutting down; do not hold the process for it.
        _ = await withTimeLimit(.seconds(10)) { await running?.value }
    }

    private func start(_ client: PostgresClient) {
        let task = Task { await client.run() }
        state.withLock { state in
            state.running = task
            state.startedAt = .now
        }
    }

    private func check() async {
        if state.withLock({ $0.abandoned }) > 0 {
            // Requests hung while others went through; once the database answers, a fresh pool
            // closes the connections they hang on.
            guard await databaseAnswers() else { return }
            replace(reason: "requests hung on the pool's connections")
            return
        }
        let now = ContinuousClock.now
        let (stalledFor, nudgeSince) = state.withLock { state -> (Duration?, ContinuousClock.Instant?) in
            guard now - state.startedAt >= watchdog.startGrace else { return (nil, nil) }
            return (state.inFlight > 0 ? now - max(state.lastProgress, state.startedAt + watchdog.startGrace) : nil, state.nudgeSince)
        }
        guard let stalledFor, stalledFor >= watchdog.nudgeAfter else { return }
        guard let nudgeSince else {
            nudge()
            return
        }
        guard now - nudgeSince >= watchdog.replaceAfter, await databaseAnswers() else { return }
        replace(reason: "the pool served nothing for \(stalledFor.components.seconds) s while the database answered")
    }

    /// Sends `SELECT 1` through the pool: a new request makes a pool that has no connection
    /// open one. Its completion counts as progress.
    private func nudge() {
        let client = state.withLock { state -> PostgresClient in
            state.nudgeSince = .now
            return state.client
        }
        logger.debug("PostgreSQL requests are waiting with none finishing; sending a probe through the pool")
        Task {
            _ = try? await client.query("SELECT 1", logger: logger).collect()
            state.withLock { state in
                state.nudgeSince = nil
                state.lastProgress = .now
            }
        }
    }

    /// Whether a fresh connection, outside the pool, gets an answer.
    private func databaseAnswers() async -> Bool {
        let configuration = directConfiguration
        let logger = logger
        let answered = await withTimeLimit(.seconds(10)) { () -> Bool in
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
                defer { Task { try? await connection.close() } }
                _ = try await connection.query("SELECT 1", logger: logger).collect()
                return true
            } catch {
                return false
            }
        }
        return answered ?? false
    }

    private func replace(reason: String) {
        let fresh = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let (old, stranded) = state.withLock { state -> (Task<Void, Never>?, [@Sendable () -> Void]) in
            let old = state.running
            let stranded = state.giveUps.values.filter { $0.generation == state.generation }.map(\.giveUp)
            state.generation += 1
            state.client = fresh
            state.startedAt = .now
            state.nudgeSince = nil
            state.lastProgress = .now
            state.replacements += 1
            state.abandoned = 0
            return (old, stranded)
        }
        logger.error("replaced the PostgreSQL connection pool (requests waiting in it fail and are retried)", metadata: ["reason": "\(reason)"])
        start(fresh)
        // Requests queued in the old pool get their answer now; its run is cancelled.
        for giveUp in stranded { giveUp() }
        old?.cancel()
    }
}

/// A request's answer, from whichever comes first: the work, its time limit, the caller's
/// cancellation, or the pool's replacement.
private final class RequestOutcome<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Result<T, any Error>, Never>?, result: Result<T, any Error>?)>((nil, nil))

    /// Waits for the first answer.
    func wait() async -> Result<T, any Error> {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Result<T, any Error>? in
                if let result = state.result { return result }
                state.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Gives the answer, if none was given yet.
    /// - Returns: Whether this was the first answer.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let (first, continuation) = state.withLock { state -> (Bool, CheckedContinuation<Result<T, any Error>, Never>?) in
            guard state.result == nil else { return (false, nil) }
            state.result = result
            defer { state.continuation = nil }
            return (true, state.continuation)
        }
        continuation?.resume(returning: result)
        return first
    }
}
