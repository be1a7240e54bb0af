import ServiceLifecycle
import SwitchyardCodeRunner

/// Keeps the code runner's warm pool full and reaps idle sandboxes while the process runs; on
/// shutdown destroys every sandbox process.
struct CodeRunnerService: Service {
    let runner: CodeRunner

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await runner.maintain()
        }
    }
}
