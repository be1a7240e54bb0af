/// Something that runs custom code: the in-process ``CodeRunner`` or a ``RemoteCodeRunner``
/// reached at `CUSTOM_CODE_RUNNER_URI`. Callers do not care which.
package protocol CodeExecutor: Sendable {
    /// Runs a job; failures (including a busy runner) are in the result, never thrown.
    func run<Bridge: SandboxAPIBridge>(_ job: CodeJob, bridge: Bridge) async -> CodeRunResult
}

extension CodeRunner: CodeExecutor {}
