import Foundation
import Logging
import Synchronization
import SwitchyardCore
import SwitchyardStore

/// Runs queued jobs in executor child processes, one per worker slot, so a job that runs too
/// long or uses too much memory is killed alone: the worker records `timeout` or
/// `out_of_memory`, starts a fresh executor, and goes on (decision 0004).
package final class ChildProcessExecution: JobExecution {
    /// Limits and how to start executors.
    package struct Settings: Sendable {
        /// The executor program and its arguments (normally this binary with `job-executor`).
        package var command: [String]
        /// Most memory a job may add to its executor, in bytes (`MAX_QUEUED_TASKS_MEMORY_MB`).
        package var memoryLimitBytes: Int
        /// Most time one job may run (`MAX_QUEUED_TASKS_PROCESS_TIME_SECONDS`).
        package var timeLimit: Duration
        /// How often memory and time are checked.
        package var checkInterval: Duration = .milliseconds(50)

        /// Creates settings.
        package init(command: [String], memoryLimitBytes: Int, timeLimit: Duration) {
            self.command = command
            self.memoryLimitBytes = memoryLimitBytes
            self.timeLimit = timeLimit
        }
    }

    private struct Slot {
        var process: ExecutorProcess?
        var baseline = 0
    }

    private enum Verdict: Sendable {
        case timeout, outOfMemory(Int), released
    }

    /// Why the watchdog stopped an executor, shared between the watchdog and the caller.
    private final class VerdictBox: Sendable {
        private let state = Mutex<(done: Bool, verdict: Verdict?)>((false, nil))

        /// Records the watchdog's verdict unless the job already answered.
        func judge(_ verdict: Verdict) -> Bool {
            state.withLock { state in
                guard !state.done else { return false }
                state.verdict = verdict
                return true
            }
        }

        /// The job answered: from now on the watchdog stays quiet. Returns an earlier verdict.
        func finish() -> Verdict? {
            state.withLock { state in
                state.done = true
                return state.verdict
            }
        }
    }

    /// A job in progress, as the watchdog sees it.
    private struct Watched: Sendable {
        var process: ExecutorProcess
        var baseline: Int
        var started: ContinuousClock.Instant
        var verdict: VerdictBox
    }

    private let settings: Settings
    private let logger: Logger
    /// The executor enforces its own limit (by killing the process).
    package var timeLimit: Duration? { nil }
    private let slots: Mutex<[Int: Slot]> = Mutex([:])
    /// The jobs in progress by slot, and whether the watchdog loop runs (it runs while any do).
    private let watched = Mutex<(jobs: [Int: Watched], watching: Bool)>(([:], false))

    /// Creates the execution.
    package init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    package func execute(_ job: Job, slot: Int) async -> JobResult {
        let process: ExecutorProcess
        let baseline: Int
        do {
            (process, baseline) = try await executor(for: slot)
        } catch {
            return .failed("the job executor could not start: \(error.message)", discard: false)
        }
        guard process.send(JobWire.request(job)) else {
            await retire(slot)
            return .failed("the job executor stopped before the job was sent", discard: false)
        }
        let verdict = VerdictBox()
        watch(Watched(process: process, baseline: baseline, started: .now, verdict: verdict), slot: slot)
        let line = await withTaskCancellationHandler {
            await process.nextLine()
        } onCancel: {
            // The worker lost the job or is stopping: the executor goes, and the job with it.
            if verdict.judge(.released) { process.killAtOnce() }
        }
        // The answer is in: from here the watchdog leaves this executor alone.
        let judged = verdict.finish()
        watched.withLock { _ = $0.jobs.removeValue(forKey: slot) }
        if let judged {
            await retire(slot)
            switch judged {
            case .timeout:
                return .failed("timeout: the job ran longer than \(settings.timeLimit) (MAX_QUEUED_TASKS_PROCESS_TIME_SECONDS) and was stopped", discard: true)
            case .outOfMemory(let used):
                return .failed(
                    "out_of_memory: the job used \(used >> 20) MB, more than \(settings.memoryLimitBytes >> 20) MB (MAX_QUEUED_TASKS_MEMORY_MB), and was stopped",
                    discard: true
                )
            case .released:
                return .released
            }
        }
        guard let line, let result = JobWire.result(from: line) else {
            await retire(slot)
            return .failed("the job's executor process exited unexpectedly", discard: false)
        }
        await recycleIfBloated(slot, process: process, baseline: baseline)
        return result
    }

    /// Puts a job under the watchdog, starting its loop when it was idle.
    private func watch(_ job: Watched, slot: Int) {
        let start = watched.withLock { state -> Bool in
            state.jobs[slot] = job
            defer { state.watching = true }
            return !state.watching
        }
        if start { Task { await self.watchdog() } }
    }

    /// One loop for every slot: checks each job's time and its executor's memory every
    /// `checkInterval`, and kills an executor whose job broke a cap. Ends when no job runs.
    private func watchdog() async {
        while true {
            try? await Task.sleep(for: settings.checkInterval)
            let jobs = watched.withLock { state -> [Watched] in
                if state.jobs.isEmpty { state.watching = false }
                return Array(state.jobs.values)
            }
            if jobs.isEmpty { return }
            let now = ContinuousClock.now
            for job in jobs {
                let judged: Verdict? =
                    if now - job.started > settings.timeLimit { .timeout }
                    else if let rss = job.process.residentBytes(), rss - job.baseline > settings.memoryLimitBytes { .outOfMemory(rss - job.baseline) }
                    else { nil }
                if let judged, job.verdict.judge(judged) { job.process.killAtOnce() }
            }
        }
    }

    /// Stops every executor (worker shutdown).
    package func shutdown() async {
        let processes = slots.withLock { slots in
            defer { slots.removeAll() }
            return slots.values.compactMap(\.process)
        }
        for process in processes { await process.terminate() }
    }

    private func executor(for slot: Int) async throws(SwitchyardError) -> (ExecutorProcess, Int) {
        if let existing = slots.withLock({ $0[slot] }), let process = existing.process { return (process, existing.baseline) }
        let process: ExecutorProcess
        do {
            process = try ExecutorProcess(executable: settings.command[0], arguments: Array(settings.command.dropFirst()))
        } catch {
            throw SwitchyardError(.unavailable, "cannot start \(settings.command[0])", internalDetail: "\(error)")
        }
        // An executor that does not come up in time is killed, which also ends the wait.
        let starting = Task {
            try await Task.sleep(for: .seconds(30))
            await process.terminate()
        }
        let first = await process.nextLine()
        starting.cancel()
        guard let first, first == JobWire.ready else {
            await process.terminate()
            throw SwitchyardError(.unavailable, "the executor exited at start (see the worker's log)")
        }
        let baseline = process.residentBytes() ?? 0
        slots.withLock { $0[slot] = Slot(process: process, baseline: baseline) }
        logger.debug("job executor started", metadata: ["slot": "\(slot)", "pid": "\(process.pid)", "rss.mb": "\(baseline >> 20)"])
        return (process, baseline)
    }

    private func retire(_ slot: Int) async {
        let process = slots.withLock { $0.removeValue(forKey: slot)?.process }
        await process?.terminate()
    }

    /// An executor whose idle memory grew by half the limit is replaced, so leaks of earlier
    /// jobs do not count against later ones.
    private func recycleIfBloated(_ slot: Int, process: ExecutorProcess, baseline: Int) async {
        guard let rss = process.residentBytes(), rss - baseline > settings.memoryLimitBytes / 2 else { return }
        logger.info("replacing a job executor whose memory grew", metadata: ["slot": "\(slot)", "rss.mb": "\(rss >> 20)"])
        await retire(slot)
    }
}
