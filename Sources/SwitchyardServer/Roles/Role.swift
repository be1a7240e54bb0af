/// One of the jobs a Switchyard process can do. A process runs one or more roles.
package enum Role: String, Sendable, CaseIterable, Codable, Comparable {
    /// REST API, webhooks, OAuth callbacks, `/connect`.
    case api
    /// Semi-instant background jobs.
    case instantWorker = "instant-worker"
    /// Long background jobs (flow runs, event pulls), fair across tenants.
    case queuedWorker = "queued-worker"
    /// Schedules, syncs, credential refresh, rescue and cleanup (leader-elected).
    case orchestrator
    /// Sandboxed JavaScript; internal only.
    case codeRunner = "code-runner"
    /// The end-user connect UI and its embed SDK.
    case ui
    /// The admin console.
    case console

    /// The seed's environment variable that turns this role on.
    package var environmentVariable: String {
        switch self {
        case .api: "IS_API"
        case .instantWorker: "IS_INSTANT_TASKS_WORKER"
        case .queuedWorker: "IS_QUEUED_TASKS_WORKER"
        case .orchestrator: "IS_ORCHESTRATOR"
        case .codeRunner: "IS_CUSTOM_CODE_RUNNER"
        case .ui: "IS_UI"
        case .console: "IS_CONSOLE"
        }
    }

    /// A name for people.
    package var displayName: String {
        switch self {
        case .api: "API"
        case .instantWorker: "instant tasks worker"
        case .queuedWorker: "queued tasks worker"
        case .orchestrator: "orchestrator"
        case .codeRunner: "custom code runner"
        case .ui: "connect UI"
        case .console: "console"
        }
    }

    package static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
