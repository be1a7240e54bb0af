import Foundation
import Logging
import Prometheus
import SwitchyardCore

/// Runs custom JavaScript in sandbox processes: one job at a time per process, processes never
/// shared between tenants, API calls carried out by the caller's ``SandboxAPIBridge``.
package final class CodeRunner: Sendable {
    /// The limits in force.
    package let settings: CodeRunnerSettings
    /// The processes.
    package let pool: SandboxPool
    private let runtime: SandboxRuntime
    private let metrics: CodeRunnerMetrics
    private let logger: Logger

    /// Checks the sandbox works (starts one process), then creates the runner.
    /// - Parameters:
    ///   - settings: Limits and isolation.
    ///   - registry: Where the runner's metrics go.
    ///   - logger: Where it logs.
    /// - Throws: ``CodeRunError`` `unavailable` saying why the sandbox cannot run here.
    package static func start(settings: CodeRunnerSettings, registry: PrometheusCollectorRegistry, logger: Logger) async throws(CodeRunError) -> CodeRunner {
        guard FileManager.default.isExecutableFile(atPath: settings.nodePath) else {
            throw CodeRunError(.unavailable, "Node.js is not installed at \(settings.nodePath) (Debian package nodejs)")
        }
        if case .bubblewrap(let path) = settings.isolation, !FileManager.default.isExecutableFile(atPath: path) {
            throw CodeRunError(
                .unavailable,
                "bubblewrap is not installed at \(path) (Debian package bubblewrap); custom code will not run without a sandbox. "
                    + "For development only, CUSTOM_CODE_UNSAFE_NO_SANDBOX=1 runs it unisolated"
            )
        }
        let runtime = try SandboxRuntime()
        let command = SandboxCommand(settings: settings, runtimeDirectory: runtime.directory)
        do {
            let probe = try await SandboxProcess.start(command: command, id: 0, maxLineBytes: 1 << 20)
            probe.kill()
        } catch {
            runtime.remove()
            throw CodeRunError(.unavailable, "the sandbox does not start on this machine: \(error.message)")
        }
        let metrics = CodeRunnerMetrics(registry: registry)
        return CodeRunner(
            settings: settings,
            pool: SandboxPool(settings: settings, command: command, metrics: metrics),
            runtime: runtime,
            metrics: metrics,
            logger: logger
        )
    }

    private init(settings: CodeRunnerSettings, pool: SandboxPool, runtime: SandboxRuntime, metrics: CodeRunnerMetrics, logger: Logger) {
        self.settings = settings
        self.pool = pool
        self.runtime = runtime
        self.metrics = metrics
        self.logger = logger
    }

    /// Keeps the warm pool full and reaps idle processes until cancelled; then destroys every process.
    package func maintain() async {
        await pool.maintain()
        await pool.shutdown()
        runtime.remove()
    }

    /// Runs one job.
    /// - Parameters:
    ///   - job: The code and its arguments.
    ///   - bridge: Carries the job's API calls out of the sandbox.
    /// - Returns: The value or a typed error, the console output and the duration. Never throws:
    ///   every failure, including a busy runner, is a ``CodeRunError`` in the result.
    package func run(_ job: CodeJob, bridge: some SandboxAPIBridge) async -> CodeRunResult {
        let start = ContinuousClock.now
        let result: CodeRunResult
        do {
            let reservation = try await reserve(for: job)
            result = await run(reservation, bridge: bridge)
        } catch {
            result = .failure(error)
            record(result, job: job, since: start)
        }
        return result
    }

    /// A job accepted for running: its size checked, a job space and a process held for it.
    package struct Reservation: Sendable {
        let job: CodeJob
        let jobID: String
        let message: Data
        let lease: SandboxPool.Lease
        let acceptedAt: ContinuousClock.Instant
    }

    /// Checks a job's size and waits (bounded) for a job space and a process.
    /// - Parameter job: The job.
    /// - Returns: A reservation to pass to ``run(_:bridge:)-(Reservation,_)``; it must be run.
    /// - Throws: ``CodeRunError`` `input_too_large` (before any process is touched), `busy`, or `unavailable`.
    package func reserve(for job: CodeJob) async throws(CodeRunError) -> Reservation {
        let acceptedAt = ContinuousClock.now
        let jobID = UUID().uuidString
        let message: Data
        do {
            message = try SandboxMessages.run(job, jobID: jobID, settings: settings)
        } catch {
            throw CodeRunError(.runtimeError, "the job cannot be encoded: \(error)")
        }
        guard message.count <= settings.maxInputBytes else {
            throw CodeRunError(.inputTooLarge, "code and input are \(message.count) bytes; the limit is \(settings.maxInputBytes)")
        }
        let lease = try await pool.acquire(key: job.isolationKey)
        return Reservation(job: job, jobID: jobID, message: message, lease: lease, acceptedAt: acceptedAt)
    }

    /// Runs a reserved job.
    /// - Parameters:
    ///   - reservation: From ``reserve(for:)``.
    ///   - bridge: Carries the job's API calls out of the sandbox.
    /// - Returns: The value or a typed error, the console output and the duration.
    package func run(_ reservation: Reservation, bridge: some SandboxAPIBridge) async -> CodeRunResult {
        let result = await execute(reservation, bridge: bridge)
        record(result, job: reservation.job, since: reservation.acceptedAt)
        return result
    }

    private func record(_ result: CodeRunResult, job: CodeJob, since start: ContinuousClock.Instant) {
        let outcome = result.error?.type.rawValue ?? "ok"
        metrics.record(outcome: outcome, duration: ContinuousClock.now - start)
        logger.debug("custom code job finished", metadata: ["job.outcome": "\(outcome)", "tenant.key": "\(job.isolationKey)"])
    }

    private enum Outcome: Sendable {
        case finished(CodeRunResult, reusable: Bool)
        case timedOut
        case abandoned
    }

    private func execute(_ reservation: Reservation, bridge: some SandboxAPIBridge) async -> CodeRunResult {
        let lease = reservation.lease
        let job = reservation.job
        let jobID = reservation.jobID
        do {
            try lease.process.send(reservation.message)
        } catch {
            await pool.release(lease, reusable: false)
            return .failure(error)
        }
        let requested = job.timeoutMilliseconds.map { Duration.milliseconds(max(1, $0)) } ?? settings.defaultTimeout
        let timeout = min(requested, settings.maxTimeout)
        let process = lease.process
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask { await Self.drive(process, jobID: jobID, bridge: bridge) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Task.isCancelled ? .abandoned : .timedOut
            }
            let first = await group.next() ?? .abandoned
            if case .timedOut = first { process.kill() }
            group.cancelAll()
            return first
        }
        switch outcome {
        case .finished(let result, let reusable):
            await pool.release(lease, reusable: reusable)
            return result
        case .timedOut:
            await pool.release(lease, reusable: false)
            return .failure(CodeRunError(.timeout, "the job ran longer than \(Self.milliseconds(timeout)) ms and was stopped"))
        case .abandoned:
            process.kill()
            await pool.release(lease, reusable: false)
            return .failure(CodeRunError(.runtimeError, "the job was cancelled"))
        }
    }

    /// Reads the process's messages for one job, performing its API calls, until its result.
    private static func drive(_ process: SandboxProcess, jobID: String, bridge: some SandboxAPIBridge) async -> Outcome {
        await withTaskGroup(of: Void.self) { calls in
            defer { calls.cancelAll() }
            while let event = await process.inbox.next() {
                switch event {
                case .message(let message) where message.type == "request" && message.jobId == jobID:
                    guard let requestID = message.requestId else { continue }
                    let request = SandboxAPIRequest(
                        client: message.client ?? "external", method: message.method ?? "GET", path: message.path ?? "",
                        data: message.data, options: message.options
                    )
                    calls.addTask {
                        let reply: Data
                        do {
                            reply = SandboxMessages.response(requestID: requestID, data: try await bridge.perform(request), error: nil)
                        } catch {
                            reply = SandboxMessages.response(requestID: requestID, data: nil, error: String(describing: error))
                        }
                        try? process.send(reply)
                    }
                case .message(let message) where message.type == "result" && message.jobId == jobID:
                    return .finished(result(from: message), reusable: reusable(after: message.error))
                case .message:
                    continue
                case .overflow:
                    return .finished(.failure(CodeRunError(.outputTooLarge, "the job wrote more output than allowed")), reusable: false)
                case .garbage:
                    return .finished(.failure(CodeRunError(.sandboxViolation, "the sandbox process wrote something that is not a runtime message")), reusable: false)
                case .exited(let status, let stderr):
                    return .finished(.failure(exitError(status: status, stderr: stderr)), reusable: false)
                }
            }
            return .abandoned
        }
    }

    private static func result(from message: SandboxMessage) -> CodeRunResult {
        let logs = message.logs ?? []
        let duration = message.durationMs ?? 0
        if message.ok == true {
            guard let text = message.valueJSON, let value = try? JSONValue.parse(text) else {
                return .failure(CodeRunError(.runtimeError, "the result is not valid JSON"), logs: logs, durationMilliseconds: duration)
            }
            return CodeRunResult(value: value, logs: logs, durationMilliseconds: duration)
        }
        let error = message.error ?? CodeRunError(.runtimeError, "the job failed without an error")
        return .failure(error, logs: logs, durationMilliseconds: duration)
    }

    /// A process that breached a limit or tried something forbidden is destroyed, not reused.
    private static func reusable(after error: CodeRunError?) -> Bool {
        guard let error else { return true }
        return ![.outOfMemory, .sandboxViolation, .outputTooLarge].contains(error.type)
    }

    private static func exitError(status: Int32, stderr: String) -> CodeRunError {
        // V8 aborts (SIGABRT, 134) when the heap limit is reached and says so on stderr; a process
        // that hits the data rlimit first dies of SIGSEGV (139) in an allocation.
        if status == 134 || status == 139 || stderr.contains("heap out of memory") || stderr.contains("Allocation failed") || stderr.contains("Reached heap limit") {
            return CodeRunError(.outOfMemory, "the job used more memory than allowed and was stopped")
        }
        return CodeRunError(.runtimeError, "the sandbox process exited unexpectedly (status \(status))")
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
