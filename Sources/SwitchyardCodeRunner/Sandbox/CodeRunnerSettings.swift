/// How the code runner isolates and limits jobs.
package struct CodeRunnerSettings: Sendable, Equatable {
    /// How sandbox processes are isolated.
    package enum Isolation: Sendable, Equatable {
        /// bubblewrap namespaces (the default; required unless unsafe mode is set).
        case bubblewrap(path: String)
        /// No OS isolation: development only, logged loudly.
        case unsafeNoSandbox
    }

    /// Path of the `node` executable.
    package var nodePath: String
    /// How processes are isolated.
    package var isolation: Isolation
    /// Jobs that may run at once (`CUSTOM_CODE_JOB_SPACES`, default cores × 2).
    package var jobSpaces: Int
    /// Started, not-yet-assigned processes kept ready (`CUSTOM_CODE_WARM_POOL_SIZE`).
    package var warmPoolSize: Int
    /// Memory limit of one sandbox process in bytes (`CUSTOM_CODE_MEMORY_LIMIT`).
    package var memoryLimitBytes: Int
    /// Wall-clock limit when a job names none (`CUSTOM_CODE_TIMEOUT_MS`).
    package var defaultTimeout: Duration
    /// The largest wall-clock limit a job may ask for.
    package var maxTimeout: Duration
    /// Largest code plus input, in bytes; larger jobs are refused before a process starts.
    package var maxInputBytes: Int
    /// Largest result, in bytes.
    package var maxOutputBytes: Int
    /// Largest captured console output, in bytes.
    package var maxLogBytes: Int
    /// Jobs one process runs before it is replaced (`CUSTOM_CODE_JOBS_PER_PROCESS`).
    package var jobsPerProcess: Int
    /// Idle time after which a tenant's process is destroyed.
    package var idleTimeout: Duration
    /// How long a job waits for a free job space before it is refused as busy.
    package var queueWait: Duration

    /// Creates settings.
    package init(
        nodePath: String = "/usr/bin/node",
        isolation: Isolation = .bubblewrap(path: "/usr/bin/bwrap"),
        jobSpaces: Int = 4,
        warmPoolSize: Int = 4,
        memoryLimitBytes: Int = 256 * 1024 * 1024,
        defaultTimeout: Duration = .seconds(30),
        maxTimeout: Duration = .seconds(300),
        maxInputBytes: Int = 10 * 1024 * 1024,
        maxOutputBytes: Int = 20 * 1024 * 1024,
        maxLogBytes: Int = 64 * 1024,
        jobsPerProcess: Int = 200,
        idleTimeout: Duration = .seconds(60),
        queueWait: Duration = .seconds(10)
    ) {
        self.nodePath = nodePath
        self.isolation = isolation
        self.jobSpaces = jobSpaces
        self.warmPoolSize = warmPoolSize
        self.memoryLimitBytes = memoryLimitBytes
        self.defaultTimeout = defaultTimeout
        self.maxTimeout = maxTimeout
        self.maxInputBytes = maxInputBytes
        self.maxOutputBytes = maxOutputBytes
        self.maxLogBytes = maxLogBytes
        self.jobsPerProcess = jobsPerProcess
        self.idleTimeout = idleTimeout
        self.queueWait = queueWait
    }
}
