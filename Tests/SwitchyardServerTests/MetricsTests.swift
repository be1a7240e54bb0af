import Foundation
import SwitchyardCore
import NIOHTTP1
import Testing

@testable import SwitchyardServer

@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the built switchyard binary"))
struct MetricsTests {
    /// Runs `promtool check metrics` on an exposition; returns its exit status and output.
    private func promtool(_ exposition: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(TestEnvironment.tool("promtool"), "promtool (Debian: prometheus) is not installed"))
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try ProcessLaunch.run(process)
        input.fileHandleForWriting.write(Data(exposition.utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ProcessLaunch.waitForExitBlocking(process)
        return (process.terminationStatus, text)
    }

    @Test(.enabled(if: TestEnvironment.canUsePromtool, "needs promtool"), arguments: MetricsEndpoint.allCases)
    func endpointPassesPromtool(endpoint: MetricsEndpoint) async throws {
        let child = try SwitchyardProcess(["serve"])
        let port = try await child.waitUntilHealthy()
        _ = try await TestHTTP.get(port: port, path: "/missing")
        _ = try await TestHTTP.send(port: port, path: "/", method: .POST)
        let response = try await TestHTTP.get(port: port, path: endpoint.rawValue)
        try await child.stop()
        #expect(response.status == 200)
        #expect(response.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(response.body.contains("# HELP http_requests_total"))
        #expect(response.body.contains("process_resident_memory_bytes"))
        let (status, output) = try promtool(response.body)
        #expect(status == 0, "promtool: \(output)\n\(response.body)")
        let seedSeries: [MetricsEndpoint: [String]] = [
            .api: ["instant_tasks_jobs_active", "instant_tasks_jobs_waiting", "queued_tasks_workers", "queued_tasks_workers_required", "switchyard_jobs"],
            .instantTasks: ["instant_tasks_worker_utilization_rate", "switchyard_job_duration_seconds", "switchyard_jobs_finished_total"],
            .queuedTasks: ["queued_tasks_worker_busy", "queued_tasks_worker_utilization_rate", "switchyard_job_duration_seconds"],
        ]
        for name in seedSeries[endpoint] ?? [] {
            #expect(response.body.contains("# HELP \(name) "), "\(endpoint.rawValue) lacks \(name)")
        }
    }

    @Test func requestCountersUseRoutePatternsAndStatuses() async throws {
        let child = try SwitchyardProcess(["serve", "--role", "api"], environment: ["DATA_DIR": try await SwitchyardProcess.migratedDataDirectory()])
        let port = try await child.waitUntilHealthy()
        for _ in 0..<3 { _ = try await TestHTTP.get(port: port, path: "/") }
        _ = try await TestHTTP.get(port: port, path: "/no/such/path/123")
        let body = try await TestHTTP.get(port: port, path: "/prometheus").body
        try await child.stop()
        #expect(body.contains(#"http_requests_total{method="GET",route="/",status="200"}"#))
        #expect(body.contains(#"status="404""#))
        #expect(!body.contains("/no/such/path/123"), "raw paths must not become labels")
    }

    @Test func workerOnlyProcessServesOnlyItsOwnEndpoints() async throws {
        let child = try SwitchyardProcess(["serve", "--role", "queued-worker"], environment: ["DATA_DIR": try await SwitchyardProcess.migratedDataDirectory()])
        let port = try await child.waitUntilHealthy()
        #expect(try await TestHTTP.get(port: port, path: "/prometheus/queued-tasks").status == 200)
        #expect(try await TestHTTP.get(port: port, path: "/prometheus/instant-tasks").status == 404)
        #expect(try await TestHTTP.get(port: port, path: "/prometheus").status == 404)
        try await child.stop()
    }
}
