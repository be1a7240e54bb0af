import Logging
import SwitchyardCore
import SwitchyardStore

/// What a handler sees of the job it runs.
package struct JobContext: Sendable {
    /// The job (its attempt counts this run).
    package var job: Job
    /// A logger carrying the job's id and kind.
    package var logger: Logger
}

/// How a handler ended, when it did not throw.
package enum JobOutcome: Sendable, Equatable {
    /// Done.
    case completed
    /// Try again after this long, without using up an attempt.
    case snooze(Duration)
    /// Stop for good; the reason is recorded.
    case cancel(String)
}

/// A failure a handler throws to control retrying; any other error retries with backoff.
package struct JobFailure: Error, Sendable {
    /// What went wrong, as recorded on the job.
    package var message: String
    /// Whether another attempt could succeed.
    package var retryable: Bool

    /// Creates a failure.
    package init(_ message: String, retryable: Bool = true) {
        self.message = message
        self.retryable = retryable
    }
}

/// Runs jobs of one kind.
package typealias JobHandler = @Sendable (JobContext) async throws -> JobOutcome

/// The handlers a worker knows, by job kind.
package struct JobRegistry: Sendable {
    private var handlers: [String: JobHandler] = [:]

    /// An empty registry.
    package init() {}

    /// Adds (or replaces) the handler of a kind.
    package mutating func register(_ kind: String, _ handler: @escaping JobHandler) {
        handlers[kind] = handler
    }

    /// The handler of a kind.
    package func handler(for kind: String) -> JobHandler? { handlers[kind] }

    /// The registered kinds.
    package var kinds: [String] { handlers.keys.sorted() }
}

/// The result of one attempt, as a worker records it.
package enum JobResult: Sendable, Equatable {
    case completed
    case snoozed(Duration)
    case cancelled(String)
    /// Failed; `discard` skips the remaining attempts.
    case failed(String, discard: Bool)
    /// Not finished because the worker is stopping: give the job back untouched.
    case released
}

/// Runs one attempt of a job with a registry's handler, turning errors into results.
package enum JobInvocation {
    /// Runs the job's handler.
    package static func run(_ job: Job, registry: JobRegistry, logger: Logger) async -> JobResult {
        var logger = logger
        logger[metadataKey: "job.id"] = "\(job.id)"
        logger[metadataKey: "job.kind"] = "\(job.kind)"
        guard let handler = registry.handler(for: job.kind) else {
            return .failed("no handler is registered for job kind \(job.kind)", discard: false)
        }
        do {
            switch try await handler(JobContext(job: job, logger: logger)) {
            case .completed: return .completed
            case .snooze(let delay): return .snoozed(delay)
            case .cancel(let reason): return .cancelled(reason)
            }
        } catch let failure as JobFailure {
            return .failed(failure.message, discard: !failure.retryable)
        } catch let error as SwitchyardError {
            if let detail = error.internalDetail { logger.warning("job failed", metadata: ["detail": "\(detail)"]) }
            return .failed(error.message, discard: false)
        } catch is CancellationError {
            return .released
        } catch {
            logger.warning("job failed", metadata: ["error": "\(String(describing: error).prefix(2000))"])
            return .failed("the job failed with an internal error (see the worker's log)", discard: false)
        }
    }
}
