import Foundation
import Logging
import Prometheus
import Testing

@testable import SwitchyardCodeRunner
import SwitchyardCore

/// What the machine provides for sandbox tests.
enum SandboxEnvironment {
    static let requireAll = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_REQUIRE_ALL"] == "1"
    static let hasNode = FileManager.default.isExecutableFile(atPath: "/usr/bin/node")
    static let hasBubblewrap = FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap")
    /// Sandbox tests run when node and bubblewrap are installed, and must run under scripts/test.
    static var available: Bool { (hasNode && hasBubblewrap) || requireAll }
}

/// One code runner shared by the tests of a process (starting sandboxes is what we measure
/// elsewhere; here many tests share spaces and each uses its own tenant ids).
enum SharedRunner {
    static let settings = CodeRunnerSettings(
        jobSpaces: 4,
        warmPoolSize: 2,
        memoryLimitBytes: 256 * 1024 * 1024,
        defaultTimeout: .seconds(10),
        maxTimeout: .seconds(20),
        maxInputBytes: 1024 * 1024,
        maxOutputBytes: 256 * 1024,
        maxLogBytes: 16 * 1024,
        jobsPerProcess: 50,
        idleTimeout: .seconds(30),
        queueWait: .seconds(60)
    )

    static let registry = PrometheusCollectorRegistry()

    private static let started = Task { () throws -> CodeRunner in
        let runner = try await CodeRunner.start(settings: settings, registry: registry, logger: Logger(label: "test"))
        Task.detached { await runner.maintain() }
        return runner
    }

    static func runner() async throws -> CodeRunner {
        try await started.value
    }

    /// Runs code for a fresh tenant (or the given one).
    static func run(
        _ code: String,
        input: JSONValue = .null,
        tenant: String = UUID().uuidString,
        workspace: String = "w1",
        timeoutMilliseconds: Int? = nil,
        bridge: some SandboxAPIBridge = NoAPIBridge()
    ) async throws -> CodeRunResult {
        let job = CodeJob(workspaceID: workspace, tenantID: tenant, code: code, input: input, timeoutMilliseconds: timeoutMilliseconds)
        return try await runner().run(job, bridge: bridge)
    }
}
