import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing

import SwitchyardConnectors
import SwitchyardCore
import SwitchyardTestSupport

/// Flow runs with real processes on PostgreSQL: an API and orchestrator process, and queued
/// workers whose executor child processes run the flows. A schedule trigger fires on time
/// through the orchestrator; a worker killed in the middle of a run leaves it to another one,
/// which finishes it without running the completed nodes again. And the embedded default runs
/// flows with no services at all.
@Suite(
    .serialized,
    .enabled(if: TestEnvironment.canRunBinary, "needs the switchyard binary"),
    .enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"),
    .timeLimit(.minutes(5))
)
struct FlowProcessTests {
    static func count(_ value: JSONValue?) -> Int {
        guard case .array(let items)? = value else { return -1 }
        return items.count
    }

    static func items(_ value: JSONValue?) -> [JSONValue] {
        guard case .array(let items)? = value else { return [] }
        return items
    }

    @Test(
        "A schedule-triggered flow fires on time through the orchestrator and stops when disabled; a worker killed mid-run leaves the run to another, which completes it without re-running completed nodes",
        .enabled(if: TestEnvironment.canUsePostgres, "needs PostgreSQL")
    )
    func scheduledRunsAndWorkerDeath() async throws {
        let port = try RawConnection.freePort()
        let (database, shared) = try await ConnectionProcessTests.postgresEnvironment(callbackPort: port)
        var environment = shared
        defer { database.drop() }
        environment.merge(["ORCHESTRATOR_INTERVAL_MS": "100", "JOBS_POLL_INTERVAL_MS": "100", "JOBS_LEASE_SECONDS": "3"]) { $1 }
        let httpbin = try await PythonTestServer.start("httpbin_server.py")
        let browser = ConnectionProcessBrowser()
        var processes: [SwitchyardProcess] = []
        func worker() throws -> SwitchyardProcess {
            var workerEnvironment = environment
            workerEnvironment["PORT"] = String(try RawConnection.freePort())
            let process = try SwitchyardProcess(["serve", "--role", "queued-worker"], environment: workerEnvironment)
            processes.append(process)
            return process
        }
        do {
            var apiEnvironment = environment
            apiEnvironment["PORT"] = String(port)
            let server = try SwitchyardProcess(["serve", "--role", "api,orchestrator"], environment: apiEnvironment)
            processes.append(server)
            let api = ConnectionProcessAPI(port: try await server.waitUntilHealthy(timeout: .seconds(60)), browser: browser)
            let first = try worker()
            _ = try await first.waitUntilHealthy(timeout: .seconds(60))
            let admin = try await ConnectionProcessTests.token(["--admin"], environment: environment)
            let tenant = try await ConnectionProcessTests.token(["--tenant", "acme"], environment: environment)
            func waitFor(_ what: String, timeout: Duration = .seconds(45), _ condition: () async throws -> Bool) async throws {
                let deadline = ContinuousClock.now + timeout
                while ContinuousClock.now < deadline, try await !condition() { try await Task.sleep(for: .milliseconds(100)) }
                #expect(try await condition(), "timed out waiting for \(what)\n\(processes.map(\.output).joined(separator: "\n----\n"))")
            }

            #expect(try await api.send(.POST, "/connectors", token: admin, json: ["key": "plain", "name": "Plain"]).status == 201)
            let spec = "key: plain\nname: Plain\nauth:\n  type: client-credentials\n  makeApiClient:\n    type: mapping\n    mapping:\n      baseUri: \(httpbin.baseURL)\n"
            let package = ConnectorArchive.pack(["spec.yml": Data(spec.utf8)])
            #expect(try await browser.send(.POST, api.baseURL + "/connectors/plain/upload", token: admin, bytes: package, contentType: "application/zip").status == 200)
            #expect(try await api.send(.POST, "/integrations", token: admin, json: ["key": "hub", "name": "Hub", "connectorId": "plain"]).status == 201)
            let ticking = try await api.send(.POST, "/flows", token: admin, json: [
                "key": "ticking", "name": "Ticking", "integrationKey": "hub", "autoCreateInstances": true,
                "nodes": [
                    "tick": ["type": "schedule-trigger", "config": ["everySeconds": 2], "links": ["note"]],
                    "note": ["type": "transform", "config": ["output": ["at": ["$var": "$.input.scheduledAt"]]]],
                ],
            ])
            #expect(ticking.status == 201, "\(ticking.body)")
            let steps = try await api.send(.POST, "/flows", token: admin, json: [
                "key": "steps", "name": "Steps", "integrationKey": "hub",
                "nodes": [
                    "start": ["type": "api-trigger", "links": ["first"]],
                    // Not idempotent: its result is stored before the next node starts (an idempotent
                    // node's row may wait for the next write, and be run again on resume).
                    "first": ["type": "transform", "config": ["output": ["$var": "$.input.stamp"]], "idempotent": false, "links": ["slow"]],
                    "slow": ["type": "api-request-to-external-app", "config": ["path": "/delay/4"], "links": ["last"]],
                    "last": ["type": "transform", "config": ["output": ["first": ["$var": "$.nodes.first.output"], "slow": ["$var": "$.nodes.slow.output.status"]]]],
                ],
            ])
            #expect(steps.status == 201, "\(steps.body)")
            let connected = Date()
            #expect(try await browser.send(.GET, api.baseURL + "/connect?integrationKey=hub&token=\(tenant)").status == 200)
            let connections = try await api.send(.GET, "/connections", token: tenant)
            let connectionID = try #require(Self.items(connections.json["items"]).first?["id"]?.stringValue)

            // The schedule: runs come every two seconds, each on a fresh tick.
            func scheduledRuns() async throws -> [JSONValue] {
                Self.items(try await api.send(.GET, "/flow-runs?status=completed&limit=100", token: tenant).json["items"]).filter { $0["trigger"] == "schedule-trigger" }
            }
            try await waitFor("three scheduled runs") { try await scheduledRuns().count >= 3 }
            let ticks = try await scheduledRuns()
            #expect(ticks.allSatisfy { $0["output"]?["at"] != nil }, "\(ticks)")
            let firstQueued = try #require(ticks.first?["createdAt"]?.stringValue).flatMap { ISO8601DateFormatter().date(from: $0) }
            #expect(firstQueued.map { $0.timeIntervalSince(connected) < 8 } == true, "the first tick came within two intervals and slack: \(ticks)")
            let instances = try await api.send(.GET, "/flow-instances?connectionId=\(connectionID)&flowKey=ticking", token: tenant)
            let instanceID = try #require(Self.items(instances.json["items"]).first?["id"]?.stringValue)
            #expect(try await api.send(.PATCH, "/flow-instances/\(instanceID)", token: tenant, json: ["enabled": false]).status == 200)
            try await Task.sleep(for: .seconds(3))
            let afterDisable = try await api.send(.GET, "/flow-runs?flowInstanceId=\(instanceID)&limit=100", token: tenant)
            try await Task.sleep(for: .seconds(4))
            let later = try await api.send(.GET, "/flow-runs?flowInstanceId=\(instanceID)&limit=100", token: tenant)
            #expect(Self.count(later.json["items"]) == Self.count(afterDisable.json["items"]), "a disabled instance's schedule no longer fires")

            // Kill the worker while the slow node runs; another worker finishes the run.
            let run = try await api.send(.POST, "/flows/steps/run", token: tenant, json: ["connectionId": .string(connectionID), "input": ["stamp": "once"]])
            let runID = try #require(run.json["id"]?.stringValue)
            func node(_ key: String) async throws -> JSONValue? {
                Self.items(try await api.send(.GET, "/flow-runs/\(runID)", token: tenant).json["nodeRuns"]).first { $0["nodeKey"] == .string(key) }
            }
            try await waitFor("the first node to complete") { try await node("first")?["status"] == "completed" }
            let firstRun = try #require(try await node("first"))
            first.signal(SIGKILL)
            _ = try await first.waitForExit(timeout: .seconds(20))
            #expect(try await api.send(.GET, "/flow-runs/\(runID)", token: tenant).json["status"] == "running")
            _ = try worker()
            try await waitFor("the run to complete on the second worker", timeout: .seconds(90)) {
                try await api.send(.GET, "/flow-runs/\(runID)", token: tenant).json["status"] == "completed"
            }
            let finished = try await api.send(.GET, "/flow-runs/\(runID)", token: tenant).json
            #expect(finished["output"] == ["first": "once", "slow": 200], "\(finished)")
            let firsts = Self.items(finished["nodeRuns"]).filter { $0["nodeKey"] == "first" }
            #expect(firsts.count == 1 && firsts.first?["id"] == firstRun["id"] && firsts.first?["updatedAt"] == firstRun["updatedAt"], "the completed node was not run again: \(firsts)")
            #expect(Self.items(finished["nodeRuns"]).count == 4, "\(finished)")
        } catch {
            Issue.record("\(error)\n\(processes.map(\.output).joined(separator: "\n----\n"))")
        }
        for process in processes { _ = try? await process.stop() }
        try? await browser.client.shutdown()
        await httpbin.stop()
    }

    @Test("On the embedded default (all-in-one, SQLite, no services), a flow runs in the queued worker's executor through a connection")
    func allInOneOnSQLiteRunsFlows() async throws {
        let httpbin = try await PythonTestServer.start("httpbin_server.py")
        let browser = ConnectionProcessBrowser()
        let directory = try TestEnvironment.temporaryDirectory()
        let environment = ["DATA_DIR": directory, "PORT": String(try RawConnection.freePort()), "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.0/8"]
        var process: SwitchyardProcess?
        do {
            let server = try SwitchyardProcess(["serve"], environment: environment)
            process = server
            let api = ConnectionProcessAPI(port: try await server.waitUntilHealthy(timeout: .seconds(60)), browser: browser)
            let admin = try await ConnectionProcessTests.token(["--admin"], environment: environment)
            let tenant = try await ConnectionProcessTests.token(["--tenant", "acme"], environment: environment)
            #expect(try await api.send(.POST, "/connectors", token: admin, json: ["key": "plain", "name": "Plain"]).status == 201)
            let spec = "key: plain\nname: Plain\nauth:\n  type: client-credentials\n  makeApiClient:\n    type: mapping\n    mapping:\n      baseUri: \(httpbin.baseURL)\n"
            #expect(try await browser.send(.POST, api.baseURL + "/connectors/plain/upload", token: admin, bytes: ConnectorArchive.pack(["spec.yml": Data(spec.utf8)]), contentType: "application/zip").status == 200)
            #expect(try await api.send(.POST, "/integrations", token: admin, json: ["key": "hub", "name": "Hub", "connectorId": "plain"]).status == 201)
            #expect(try await browser.send(.GET, api.baseURL + "/connect?integrationKey=hub&token=\(tenant)").status == 200)
            let created = try await api.send(.POST, "/flows", token: admin, json: [
                "key": "echo", "name": "Echo", "integrationKey": "hub",
                "nodes": [
                    "start": ["type": "api-trigger", "links": ["ask"]],
                    "ask": ["type": "api-request-to-external-app", "config": ["path": "/anything", "query": ["word": ["$var": "$.input.word"]]], "links": ["answer"]],
                    "answer": ["type": "transform", "config": ["output": ["$var": "$.nodes.ask.output.data.args.word"]]],
                ],
            ])
            #expect(created.status == 201, "\(created.body)")
            let run = try await api.send(.POST, "/flows/echo/run", token: tenant, json: ["input": ["word": "héllo"]])
            #expect(run.status == 201, "\(run.body)")
            let runID = try #require(run.json["id"]?.stringValue)
            var status: JSONValue?
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                status = try await api.send(.GET, "/flow-runs/\(runID)", token: tenant).json["status"]
                if status == "completed" || status == "failed" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let finished = try await api.send(.GET, "/flow-runs/\(runID)", token: tenant).json
            #expect(finished["status"] == "completed" && finished["output"] == "héllo", "\(finished)\n\(server.output)")
        } catch {
            Issue.record("\(error)\n\(process?.output ?? "")")
        }
        if let process { _ = try? await process.stop() }
        try? await browser.client.shutdown()
        await httpbin.stop()
    }
}
