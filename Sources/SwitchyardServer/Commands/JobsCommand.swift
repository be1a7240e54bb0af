import ArgumentParser
import Foundation
import SwitchyardCore
import SwitchyardJobs
import SwitchyardStore

/// `switchyard jobs`: look at the job queue and act on it (dead letters especially).
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List, inspect, retry, cancel and enqueue background jobs.",
        subcommands: [List.self, Show.self, Retry.self, Cancel.self, Enqueue.self, SetLimits.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, one JSON object per line (discarded ones by default).")
        @Option(help: "States to list, comma-separated (available, scheduled, running, retryable, completed, cancelled, discarded), or `all`.")
        var state = "discarded"
        @Option(help: "Most jobs to list (1-1000).") var limit = 100
        @Option(help: "List jobs with ids after this one (paging).") var after: Int64?

        func run() async throws {
            let states: [JobState]
            if state == "all" {
                states = JobState.allCases
            } else {
                states = try state.split(separator: ",").map { name in
                    guard let state = JobState(rawValue: String(name)) else { throw ValidationError("unknown job state \"\(name)\"") }
                    return state
                }
            }
            try await CommandSupport.withStore("jobs list") { store in
                for job in try await store.jobs.jobs(states: states, limit: limit, afterID: after) { print(JobPrinting.line(job)) }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one job with its recorded errors.")
        @Argument(help: "The job id.") var id: Int64

        func run() async throws {
            try await CommandSupport.withStore("jobs show") { store in print(JobPrinting.line(try await store.jobs.job(id))) }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a discarded, cancelled or completed job again.")
        @Argument(help: "The job id.") var id: Int64

        func run() async throws {
            try await CommandSupport.withStore("jobs retry") { store in print(JobPrinting.line(try await store.jobs.retry(id))) }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a job that has not finished (a running one is stopped by its worker).")
        @Argument(help: "The job id.") var id: Int64
        @Option(help: "Why, recorded on the job.") var reason = "cancelled by an operator"

        func run() async throws {
            try await CommandSupport.withStore("jobs cancel") { store in
                guard let job = try await store.jobs.cancel(id, worker: nil, reason: reason) else {
                    let existing = try await store.jobs.job(id)
                    throw SwitchyardError(.conflict, "job \(id) is \(existing.state.rawValue) and cannot be cancelled")
                }
                print(JobPrinting.line(job))
            }
        }
    }

    struct Enqueue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enqueue a job (for example diagnostics.noop to check the workers).")
        @Option(help: "The job kind.") var kind: String
        @Option(help: "instant or queued.") var queue = "queued"
        @Option(help: "Arguments as a JSON object.") var args = "{}"
        @Option(help: "Tenant id.") var tenant: String?
        @Option(help: "Connection id.") var connection: String?
        @Option(help: "Workspace id.") var workspace: String?
        @Option(help: "Unique key: no second job while one with this key is pending.") var uniqueKey: String?
        @Option(help: "Run no sooner than this many seconds from now.") var delaySeconds = 0
        @Option(help: "Attempts before the job is discarded.") var maxAttempts = 25
        @Option(help: "Priority 1 (first) to 4.") var priority = 2

        func run() async throws {
            guard let queue = JobQueueName(rawValue: queue) else { throw ValidationError("--queue must be instant or queued") }
            guard let arguments = try? JSONValue.parse(args), case .object = arguments else { throw ValidationError("--args must be a JSON object") }
            let job = NewJob(
                kind: kind, queue: queue, priority: priority, args: arguments, maxAttempts: maxAttempts, workspaceID: workspace, tenantID: tenant,
                connectionID: connection, uniqueKey: uniqueKey,
                scheduledAt: delaySeconds > 0 ? StoreClock.now() + Int64(delaySeconds) * 1_000_000 : nil
            )
            try await CommandSupport.withStore("jobs enqueue") { store, configuration in
                let result = try await store.jobs.enqueue([job], limits: configuration.work.limitsEnabled ? configuration.jobs.limits : nil)[0]
                switch result {
                case .inserted(let id): print(#"{"id":\#(id),"inserted":true}"#)
                case .duplicate(let id): print(#"{"id":\#(id),"inserted":false}"#)
                }
            }
        }
    }

    struct SetLimits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-limits",
            abstract: "Set the queued-task limits of a workspace or one of its tenants (used with ENABLE_LIMITS); no limit options clears them."
        )
        @Option(help: "Workspace id.") var workspace: String
        @Option(help: "Tenant id (omit for the workspace's own limits).") var tenant: String?
        @Option(help: "Running queued tasks per connection.") var runningPerConnection: Int?
        @Option(help: "Running queued tasks per tenant.") var runningPerTenant: Int?
        @Option(help: "Waiting queued tasks per connection.") var queuePerConnection: Int?

        func run() async throws {
            for (name, value) in [
                ("running-per-connection", runningPerConnection), ("running-per-tenant", runningPerTenant),
                ("queue-per-connection", queuePerConnection),
            ] {
                if let value, value < 1 { throw ValidationError("--\(name) must be at least 1") }
            }
            let limits = JobLimits(
                runningPerConnection: runningPerConnection, runningPerTenant: runningPerTenant, queuePerConnection: queuePerConnection)
            try await CommandSupport.withStore("jobs set-limits") { store in
                try await store.jobs.setLimits(limits, workspaceID: workspace, tenantID: tenant)
                print(limits.isEmpty ? "limits cleared" : "limits set")
            }
        }
    }
}

/// `switchyard schedules`: periodic jobs the orchestrator fires.
struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "List, create and delete periodic jobs (interval or cron, UTC).",
        subcommands: [List.self, Set.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List schedules with their last tick.")

        func run() async throws {
            try await CommandSupport.withStore("schedules list") { store in
                for stored in try await store.jobs.schedules() {
                    let when = stored.schedule.cron.map { "cron \"\($0)\"" } ?? "every \(stored.schedule.everySeconds ?? 0)s"
                    let last = stored.lastTick.map(String.init) ?? "never"
                    print("\(stored.schedule.name)\t\(stored.schedule.kind)\t\(stored.schedule.queue.rawValue)\t\(when)\tlast tick \(last)")
                }
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace a schedule.")
        @Argument(help: "A unique name.") var name: String
        @Option(help: "The job kind to enqueue.") var kind: String
        @Option(help: "instant or queued.") var queue = "queued"
        @Option(help: "Arguments as a JSON object.") var args = "{}"
        @Option(help: "Fire every this many seconds.") var every: Int?
        @Option(help: "Fire on a five-field cron expression (UTC).") var cron: String?

        func run() async throws {
            guard let queue = JobQueueName(rawValue: queue) else { throw ValidationError("--queue must be instant or queued") }
            guard let arguments = try? JSONValue.parse(args), case .object = arguments else { throw ValidationError("--args must be a JSON object") }
            if let cron {
                do { _ = try CronExpression(cron) } catch { throw ValidationError(error.message) }
            }
            let schedule = JobSchedule(name: name, kind: kind, queue: queue, args: arguments, everySeconds: every, cron: cron)
            try await CommandSupport.withStore("schedules set") { store in
                try await store.jobs.saveSchedule(schedule)
                print("schedule \(name) saved")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a schedule.")
        @Argument(help: "The name.") var name: String

        func run() async throws {
            try await CommandSupport.withStore("schedules delete") { store in
                guard try await store.jobs.deleteSchedule(name) else { throw SwitchyardError(.notFound, "no schedule named \(name)") }
                print("schedule \(name) deleted")
            }
        }
    }
}

/// Job lines for the `jobs` commands.
enum JobPrinting {
    static func line(_ job: Job) -> String {
        var members: [String: JSONValue] = [
            "id": .number(Double(job.id)), "state": .string(job.state.rawValue), "queue": .string(job.queue.rawValue), "kind": .string(job.kind),
            "attempt": .number(Double(job.attempt)), "maxAttempts": .number(Double(job.maxAttempts)), "args": job.args,
            "errors": .array(job.errors.map { ["attempt": .number(Double($0.attempt)), "at": .number(Double($0.at)), "error": .string($0.error)] }),
        ]
        if let id = job.tenantID { members["tenantId"] = .string(id) }
        if let id = job.connectionID { members["connectionId"] = .string(id) }
        return JSONValue.object(members).jsonText
    }
}
