import Foundation
import SwitchyardCodeRunner

/// The custom code runner's limits and isolation, from the `CUSTOM_CODE_*` variables.
package struct CustomCodeSettings: Sendable, Equatable {
    /// The runner's settings.
    package var runner: CodeRunnerSettings

    /// Whether custom code runs without OS isolation (`CUSTOM_CODE_UNSAFE_NO_SANDBOX`).
    package var isUnsafe: Bool { runner.isolation == .unsafeNoSandbox }

    /// Reads the settings.
    /// - Parameters:
    ///   - env: The environment reader; problems are recorded there.
    ///   - production: Whether this is a production deployment, where unsafe mode is refused.
    package init(env: inout EnvironmentReader, production: Bool) {
        let spaces = env.int("CUSTOM_CODE_JOB_SPACES", default: ProcessInfo.processInfo.activeProcessorCount * 2, in: 1...1024)
        let unsafe = env.bool("CUSTOM_CODE_UNSAFE_NO_SANDBOX", default: false)
        if unsafe && production {
            env.report("CUSTOM_CODE_UNSAFE_NO_SANDBOX", "is refused in production: custom code must run in the sandbox")
        }
        let bwrap = env.string("CUSTOM_CODE_BWRAP_PATH") ?? "/usr/bin/bwrap"
        let timeout = env.int("CUSTOM_CODE_TIMEOUT_MS", default: 30_000, in: 1...3_600_000)
        let maxTimeout = env.int("CUSTOM_CODE_MAX_TIMEOUT_MS", default: 300_000, in: 1...3_600_000)
        if maxTimeout < timeout {
            env.report("CUSTOM_CODE_MAX_TIMEOUT_MS", "is smaller than CUSTOM_CODE_TIMEOUT_MS")
        }
        runner = CodeRunnerSettings(
            nodePath: env.string("CUSTOM_CODE_NODE_PATH") ?? "/usr/bin/node",
            isolation: unsafe ? .unsafeNoSandbox : .bubblewrap(path: bwrap),
            jobSpaces: spaces,
            warmPoolSize: env.int("CUSTOM_CODE_WARM_POOL_SIZE", default: spaces, in: 0...1024),
            memoryLimitBytes: env.int("CUSTOM_CODE_MEMORY_LIMIT", default: 268_435_456, in: 67_108_864...Int(Int32.max) * 64),
            defaultTimeout: .milliseconds(timeout),
            maxTimeout: .milliseconds(maxTimeout),
            maxInputBytes: env.int("CUSTOM_CODE_MAX_INPUT_MB", default: 10, in: 1...1024) * 1024 * 1024,
            maxOutputBytes: env.int("CUSTOM_CODE_MAX_OUTPUT_MB", default: 20, in: 1...1024) * 1024 * 1024,
            maxLogBytes: env.int("CUSTOM_CODE_MAX_LOG_KB", default: 64, in: 1...102_400) * 1024,
            jobsPerProcess: env.int("CUSTOM_CODE_JOBS_PER_PROCESS", default: 200, in: 1...1_000_000),
            idleTimeout: .milliseconds(env.int("CUSTOM_CODE_IDLE_TIMEOUT_MS", default: 60_000, in: 1000...86_400_000)),
            queueWait: .milliseconds(env.int("CUSTOM_CODE_QUEUE_WAIT_MS", default: 10_000, in: 0...600_000))
        )
    }
}
