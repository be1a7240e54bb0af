import Foundation
import Logging
import ServiceLifecycle
import SwitchyardCore
import SwitchyardEngine
import SwitchyardJobs
import SwitchyardStore

/// Builds the job roles: instant-tasks workers, queued-tasks workers (with one executor child
/// process per slot, `QUEUED_TASKS_WORKER_CONCURRENCY` slots each), the orchestrator, and the
/// API's queue statistics.
enum JobAssembly {
    /// The one place job kinds are registered; workers and executor processes both call it.
    /// - Parameter maxNodeOutputBytes: `MAX_NODE_RUN_OUTPUT_SIZE_MB` in bytes, for flow runs.
    /// - Parameter pulls: Limits of data source pulls (`MAX_RUNNING_PULLS_PER_WORKSPACE`).
    static func registry(
        store: OpenStore?, connections: ConnectionServices? = nil, maxNodeOutputBytes: Int = 20 << 20, pulls: DataPuller.Settings = .init(),
        logger: Logger
    ) -> JobRegistry {
        var registry = JobRegistry()
        DiagnosticJobs.register(in: &registry)
        if let connections {
            registry.register(CredentialRefresher.refreshJobKind) { context in
                do throws(SwitchyardError) {
                    let outcome = try await connections.lifecycle.refreshScheduled(context.job.args)
                    context.logger.info("scheduled credentials refresh", metadata: ["outcome": "\(outcome)"])
                    return .completed
                } catch {
                    throw JobFailure(error.message, retryable: error.key == .unavailable || error.key == .rateLimitExceeded)
                }
            }
            registry.register(WebhookNotifier.jobKind) { context in
                do throws(SwitchyardError) {
                    switch try await connections.webhooks.deliver(context.job.args) {
                    case .done(let outcome):
                        context.logger.info("webhook delivery", metadata: ["outcome": "\(outcome)"])
                        return .completed
                    case .retry(let delay):
                        return .snooze(delay)
                    }
                } catch {
                    throw JobFailure(error.message, retryable: error.key != .notFound)
                }
            }
            if let store {
                let puller = connections.dataPuller(index: store.dataRecords, settings: pulls, logger: logger)
                registry.register(DataSourceInstances.tickJobKind) { context in
                    do throws(SwitchyardError) {
                        try await puller.tick(context.job.args)
                        return .completed
                    } catch {
                        throw JobFailure(error.message, retryable: error.key != .badRequest)
                    }
                }
                registry.register(DataSourceInstances.pullJobKind) { context in
                    do throws(SwitchyardError) {
                        switch try await puller.pull(job: context.job) {
                        case .done: return .completed
                        case .wait(let delay): return .snooze(delay)
                        case .stopped(let reason): return .cancel(reason)
                        }
                    } catch {
                        // The pull keeps its cursor; the next attempt resumes there.
                        throw JobFailure(error.message, retryable: true)
                    }
                }
            }
            let flows = connections.flowRunner(maxOutputBytes: maxNodeOutputBytes, logger: logger)
            registry.register(FlowRunRecord.jobKind) { context in
                do throws(SwitchyardError) {
                    switch try await flows.execute(args: context.job.args, jobID: context.job.id) {
                    case .finished: return .completed
                    case .sleep(let delay): return .snooze(delay)
                    }
                } catch {
                    // The run stays where it was; another attempt resumes it.
                    throw JobFailure(error.message, retryable: error.key != .notFound && error.key != .badRequest)
                }
            }
        }
        return registry
    }

    /// The command that starts an executor process: this same binary.
    static var executorCommand: [String] {
        let binary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return [binary, "job-executor", "--parent-pid", String(ProcessInfo.processInfo.processIdentifier)]
    }

    /// The services of the job roles this process runs.
    static func services(
        configuration: SwitchyardConfiguration, store: OpenStore, connections: ConnectionServices?, registries: MetricsRegistries,
        monitor: HealthMonitor, logger: Logger
    ) -> [any Service] {
        let roles = configuration.roles
        let jobs = configuration.jobs
        let limits = configuration.work.limitsEnabled ? jobs.limits : nil
        let ready: @Sendable () async -> Void = {
            while !Task.isCancelled, !(await monitor.waitForReady(timeout: .seconds(3600))).isReady {}
        }
        let host = ProcessInfo.processInfo.hostName
        let pid = ProcessInfo.processInfo.processIdentifier
        var services: [any Service] = []
        if roles.roles.contains(.instantWorker) {
            let registry = registry(
                store: store, connections: connections, maxNodeOutputBytes: configuration.work.maxNodeRunOutputMB << 20,
                pulls: DataPuller.Settings(runningPerWorkspace: configuration.work.maxRunningPullsPerWorkspace), logger: logger)
            let count = roles.isAllInOne ? jobs.allInOneInstantWorkers : 1
            for index in 0..<count {
                let id = "\(host)-\(pid)-instant-\(index)"
                services.append(
                    JobWorker(
                        id: id, store: store.jobs,
                        execution: InProcessExecution(registry: registry, timeLimit: jobs.instantTimeLimit, logger: logger),
                        settings: JobWorkerSettings(
                            queue: .instant, concurrency: jobs.instantConcurrency, lease: jobs.lease, pollInterval: jobs.pollInterval, limits: nil),
                        metrics: registries.byEndpoint[.instantTasks].map {
                            WorkerMetrics(queue: .instant, worker: id, capacity: jobs.instantConcurrency, registry: $0)
                        },
                        ready: ready, logger: logger
                    )
                )
            }
        }
        if roles.roles.contains(.queuedWorker) {
            let count = roles.isAllInOne ? jobs.allInOneQueuedWorkers : 1
            let executor = ChildProcessExecution.Settings(
                command: executorCommand, memoryLimitBytes: configuration.work.maxQueuedTaskMemoryMB << 20,
                timeLimit: configuration.work.maxQueuedTaskTime
            )
            for index in 0..<count {
                let id = "\(host)-\(pid)-queued-\(index)"
                services.append(
                    JobWorker(
                        id: id, store: store.jobs, execution: ChildProcessExecution(settings: executor, logger: logger),
                        settings: JobWorkerSettings(
                            queue: .queued, concurrency: jobs.queuedConcurrency, lease: jobs.lease, pollInterval: jobs.pollInterval, limits: limits),
                        metrics: registries.byEndpoint[.queuedTasks].map {
                            WorkerMetrics(queue: .queued, worker: id, capacity: jobs.queuedConcurrency, registry: $0)
                        },
                        ready: ready, logger: logger
                    )
                )
            }
        }
        if roles.roles.contains(.orchestrator) {
            let settings = OrchestratorSettings(
                interval: jobs.orchestratorInterval, leadership: jobs.orchestratorLeadership,
                jobRetention: [.completed: jobs.completedRetention, .cancelled: jobs.failedRetention, .discarded: jobs.failedRetention],
                logRetention: jobs.logRetention
            )
            services.append(
                Orchestrator(
                    id: "\(host)-\(pid)-orchestrator", store: store.jobs, records: store.records, settings: settings, registry: registries.shared,
                    ready: ready, logger: logger
                )
            )
        }
        if roles.roles.contains(.api), let registry = registries.byEndpoint[.api] {
            services.append(
                QueueStatsSampler(
                    store: store.jobs, limits: limits, interval: .seconds(5), workerTimeout: jobs.lease, slotsPerWorker: jobs.queuedConcurrency,
                    registry: registry, ready: ready, logger: logger
                )
            )
        }
        return services
    }
}
