import Prometheus
import SwitchyardCore

/// Owns the sandbox processes of one code runner.
///
/// - **Job spaces** bound the jobs running at once; a job waits (bounded) for a free space.
/// - A **warm pool** of started, unassigned processes hides Node's start-up cost.
/// - A process, once assigned to a tenant (workspace + tenant), only ever runs that tenant's
///   jobs, one after another, until it has run `jobsPerProcess` jobs, breaches a limit, or idles
///   past `idleTimeout`. Then it is destroyed, never handed to anyone else.
package actor SandboxPool {
    /// A process lent to one job.
    struct Lease: Sendable {
        let process: SandboxProcess
        let key: String
        let jobsRun: Int
        /// How the process was found: `warm` (the tenant's own), `pool` (unassigned), `cold` (started now).
        let origin: String
    }

    private struct Idle {
        let process: SandboxProcess
        let jobsRun: Int
        let lastUsed: ContinuousClock.Instant
    }

    private let settings: CodeRunnerSettings
    private let command: SandboxCommand
    private let metrics: CodeRunnerMetrics
    private var unassigned: [SandboxProcess] = []
    private var idle: [String: [Idle]] = [:]
    private var busy = 0
    private var starting = 0
    private var nextID = 0
    private let refillSignal: AsyncStream<Void>.Continuation
    private let refillRequests: AsyncStream<Void>

    init(settings: CodeRunnerSettings, command: SandboxCommand, metrics: CodeRunnerMetrics) {
        self.settings = settings
        self.command = command
        self.metrics = metrics
        (refillRequests, refillSignal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        metrics.totalJobSpaces.set(to: Double(settings.jobSpaces))
        metrics.remainingJobSpaces.set(to: Double(settings.jobSpaces))
    }

    /// Free job spaces right now.
    package var remainingJobSpaces: Int { settings.jobSpaces - busy }

    /// Started, unassigned processes right now.
    package var warmCount: Int { unassigned.count }

    /// Idle processes assigned to a tenant, by isolation key.
    package var tenantProcessCounts: [String: Int] { idle.mapValues(\.count) }

    /// Takes a job space and a process for a tenant.
    /// - Parameter key: The job's isolation key.
    /// - Throws: ``CodeRunError`` `busy` when no space frees up within `queueWait`, or
    ///   `unavailable` when no process can be started.
    func acquire(key: String) async throws(CodeRunError) -> Lease {
        try await takeSpace()
        while var list = idle[key], let last = list.popLast() {
            idle[key] = list.isEmpty ? nil : list
            updateGauges()
            if last.process.isRunning { return Lease(process: last.process, key: key, jobsRun: last.jobsRun, origin: "warm") }
        }
        while let process = unassigned.popLast() {
            refillSignal.yield()
            updateGauges()
            if process.isRunning { return Lease(process: process, key: key, jobsRun: 0, origin: "pool") }
        }
        refillSignal.yield()
        do {
            return Lease(process: try await startProcess(), key: key, jobsRun: 0, origin: "cold")
        } catch {
            releaseSpace()
            throw error
        }
    }

    /// Returns a process after a job. A reusable process stays with its tenant; any other is destroyed.
    /// - Parameters:
    ///   - lease: The lease from ``acquire(key:)``.
    ///   - reusable: Whether the job ended cleanly (no limit breach, no violation).
    func release(_ lease: Lease, reusable: Bool) {
        releaseSpace()
        let jobsRun = lease.jobsRun + 1
        guard reusable, jobsRun < settings.jobsPerProcess, lease.process.isRunning else {
            lease.process.kill()
            return
        }
        idle[lease.key, default: []].append(Idle(process: lease.process, jobsRun: jobsRun, lastUsed: .now))
        evictBeyondCapacity()
        updateGauges()
    }

    /// Keeps the warm pool full and destroys idle tenant processes; runs until cancelled.
    func maintain() async {
        refillSignal.yield()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    await self?.reapIdle()
                }
            }
            for await _ in refillRequests {
                let missing = settings.warmPoolSize - unassigned.count - starting
                guard missing > 0 else { continue }
                starting += missing
                for _ in 0..<missing {
                    group.addTask { [weak self] in
                        guard let self else { return }
                        let process = try? await self.startProcess()
                        await self.addWarm(process)
                    }
                }
            }
            group.cancelAll()
        }
    }

    /// Stops maintenance and destroys every process.
    func shutdown() {
        refillSignal.finish()
        for process in unassigned { process.kill() }
        for list in idle.values { for entry in list { entry.process.kill() } }
        unassigned = []
        idle = [:]
        updateGauges()
    }

    private func addWarm(_ process: SandboxProcess?) {
        starting -= 1
        guard let process else { return }
        if unassigned.count < settings.warmPoolSize {
            unassigned.append(process)
        } else {
            process.kill()
        }
        updateGauges()
    }

    private func startProcess() async throws(CodeRunError) -> SandboxProcess {
        nextID += 1
        let id = nextID
        let maxLine = settings.maxOutputBytes + settings.maxLogBytes * 2 + 64 * 1024
        return try await SandboxProcess.start(command: command, id: id, maxLineBytes: maxLine)
    }

    private func takeSpace() async throws(CodeRunError) {
        let deadline = ContinuousClock.now + settings.queueWait
        while busy >= settings.jobSpaces {
            guard ContinuousClock.now < deadline, !Task.isCancelled else {
                throw CodeRunError(.busy, "all \(settings.jobSpaces) job spaces are busy; retry later")
            }
            try? await Task.sleep(for: .milliseconds(1))
        }
        busy += 1
        metrics.remainingJobSpaces.set(to: Double(settings.jobSpaces - busy))
    }

    private func releaseSpace() {
        busy -= 1
        metrics.remainingJobSpaces.set(to: Double(settings.jobSpaces - busy))
    }

    /// Idle tenant processes are capped at twice the job spaces; the least recently used go first.
    private func evictBeyondCapacity() {
        var count = idle.values.reduce(0) { $0 + $1.count }
        let cap = settings.jobSpaces * 2
        while count > cap {
            guard let (key, index) = oldestIdle() else { break }
            idle[key]?.remove(at: index).process.kill()
            if idle[key]?.isEmpty == true { idle[key] = nil }
            count -= 1
        }
    }

    private func oldestIdle() -> (String, Int)? {
        var best: (String, Int, ContinuousClock.Instant)?
        for (key, list) in idle {
            for (index, entry) in list.enumerated() where best == nil || entry.lastUsed < best!.2 {
                best = (key, index, entry.lastUsed)
            }
        }
        return best.map { ($0.0, $0.1) }
    }

    private func reapIdle() {
        let cutoff = ContinuousClock.now - settings.idleTimeout
        for (key, list) in idle {
            let (stale, fresh) = (list.filter { $0.lastUsed < cutoff || !$0.process.isRunning }, list.filter { $0.lastUsed >= cutoff && $0.process.isRunning })
            for entry in stale { entry.process.kill() }
            idle[key] = fresh.isEmpty ? nil : fresh
        }
        let alive = unassigned.filter(\.isRunning)
        if alive.count < unassigned.count {
            unassigned = alive
            refillSignal.yield()
        }
        updateGauges()
    }

    private func updateGauges() {
        metrics.warmProcesses.set(to: Double(unassigned.count))
        metrics.tenantProcesses.set(to: Double(idle.values.reduce(0) { $0 + $1.count }))
    }
}
