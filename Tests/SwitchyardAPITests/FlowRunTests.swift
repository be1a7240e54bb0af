import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardAPI
import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// Flows end to end on PostgreSQL, with a connection made through the real OAuth 2.0 flow
/// (authlib) and requests to real servers on loopback (authlib's API, httpbin, the SaaS test
/// server). The runs are executed by the same `FlowRunner` the queued workers' executors use,
/// with the test playing the worker's part (taking jobs, recording their outcome).
// One test at a time: each starts its own servers, and a burst of them starves the rest of the
// suite on a small machine.
@Suite(
    .serialized,
    .enabled(if: PythonTestServer.available && APIHarness.postgresAvailable, "needs SWITCHYARD_TEST_PYTHON and PostgreSQL (scripts/test)"))
struct FlowRunTests {
    static func createFlow(_ client: APIClient, admin: String, key: String, nodes: JSONValue, extra: [String: JSONValue] = [:]) async throws {
        var body: [String: JSONValue] = ["key": .string(key), "name": .string(key), "integrationKey": "hub", "nodes": nodes]
        for (name, value) in extra { body[name] = value }
        let created = try await client.send(.post, "/flows", token: admin, body: .object(body))
        #expect(created.status == 201, "\(key): \(created.json)")
    }

    static func start(_ client: APIClient, _ key: String, token: String, connectionID: String, input: JSONValue) async throws -> String {
        let queued = try await client.send(.post, "/flows/\(key)/run", token: token, body: ["connectionId": .string(connectionID), "input": input])
        #expect(queued.status == 201 && queued.json["status"] == "queued", "\(queued.json)")
        return try #require(queued.json["id"]?.stringValue)
    }

    @Test(
        """
        A flow with a conditional branch, a for-each over 100 items through the connection and a JavaScript node completes with the expected output; \
        every node run is recorded
        """
    )
    func branchingForEachJavaScriptFlowCompletes() async throws {
        try await FlowWorld.with { world, client in
            let (admin, tenant, connectionID) = try await world.connected(client)
            let sum: JSONValue =
                world.hasCode
                ? [
                    "type": "run-javascript",
                    "config": [
                        "code": """
                        module.exports = async function ({ input }) {
                          const total = input.nodes.loop.output.reduce((sum, item) => sum + item.n, 0)
                          return { total, mode: input.nodes.loud ? 'loud' : 'quiet', count: input.nodes.loop.output.length }
                        }
                        """
                    ],
                ]
                : ["type": "transform", "config": ["output": ["total": 4950, "mode": ["$var": "$.nodes.loud.output.mode"], "count": 100]]]
            try await Self.createFlow(
                client, admin: admin, key: "fan-out",
                nodes: [
                    "start": ["type": "api-trigger", "links": ["prepare"]],
                    "prepare": [
                        "type": "transform", "config": ["output": ["items": ["$var": "$.input.items"], "label": ["$var": "$.input.label"]]],
                        "links": [
                            "loop", ["key": "loud", "filter": ["$eval": ["$var": "$.nodes.prepare.output.label"], "is": "loud"]],
                            ["key": "quiet", "filter": ["$eval": ["$var": "$.nodes.prepare.output.label"], "isNot": "loud"]],
                        ],
                    ],
                    "loud": ["type": "transform", "config": ["output": ["mode": "loud"]]],
                    "quiet": ["type": "transform", "config": ["output": ["mode": "quiet"]]],
                    "loop": [
                        "type": "for-each", "links": ["sum"],
                        "config": [
                            "items": ["$var": "$.nodes.prepare.output.items"],
                            "nodes": [
                                "fetch": [
                                    "type": "api-request-to-external-app", "config": ["path": "/echo", "query": ["n": ["$var": "$.item"]]],
                                    "links": ["number"],
                                ],
                                "number": ["type": "transform", "config": ["output": ["$var": "$.nodes.fetch.output.data.query.n"]]],
                            ],
                            "output": ["n": ["$var": "$.index"], "echoed": ["$var": "$.nodes.number.output"]],
                        ],
                    ],
                    "sum": sum,
                ])
            let items: JSONValue = .array((0..<100).map { .number(Double($0)) })
            let runID = try await Self.start(client, "fan-out", token: tenant, connectionID: connectionID, input: ["items": items, "label": "loud"])
            try await world.drain(runID)
            let run = try await FlowWorld.run(client, runID, token: tenant)
            #expect(run["status"] == "completed", "\(run["error"] ?? .null)")
            #expect(run["output"] == ["total": 4950, "mode": "loud", "count": 100], "\(run["output"] ?? .null)")
            #expect(run["connectionId"] == .string(connectionID) && run["startedAt"] != nil && run["finishedAt"] != nil)
            // trigger, prepare, loud, loop, sum, and two nodes per item; the quiet branch never ran.
            #expect(run["nodeRuns"]?.arrayCount == 205, "\(run["nodeRuns"]?.arrayCount ?? -1) node runs")
            #expect(FlowWorld.node(run, "quiet") == nil)
            let fetched = try #require(FlowWorld.node(run, "loop[42].fetch"))
            #expect(fetched["status"] == "completed" && fetched["output"]?["data"]?["query"]?["n"] == "42", "\(fetched)")
            #expect(FlowWorld.node(run, "loop[42].number")?["output"] == "42")
            #expect(FlowWorld.node(run, "loop")?["output"]?[7] == ["n": 7, "echoed": "7"])
            #expect(fetched["startedAt"] != nil && fetched["durationMs"] != nil)
            // Another tenant sees neither the run nor its node runs.
            let other = try await world.harness.tenantToken("globex")
            #expect(try await client.send(.get, "/flow-runs/\(runID)", token: other).status == 404)
            #expect(try await client.send(.get, "/flow-runs", token: other).json["items"]?.arrayCount == 0)
            let listed = try await client.send(.get, "/flow-runs?status=completed&connectionId=\(connectionID)", token: tenant)
            #expect(listed.json["items"]?.arrayCount == 1 && listed.json["items"]?[0]?["nodes"] == nil, "\(listed.json)")
        }
    }

    @Test(
        """
        Retries with backoff recover from retryable errors, onError continue goes on with the error as output, and a node out of attempts fails the \
        run
        """
    )
    func retriesAndOnErrorContinue() async throws {
        try await FlowWorld.with([.saas, .httpbin]) { world, client in
            let (admin, tenant, connectionID) = try await world.connected(client)
            try await Self.createFlow(
                client, admin: admin, key: "resilient",
                nodes: [
                    "start": ["type": "api-trigger", "links": ["flaky"]],
                    "flaky": [
                        "type": "api-request-to-your-app",
                        "config": ["method": "POST", "url": .string(world.saasURL + "/api/flaky"), "body": ["n": 1]],
                        "retries": ["attempts": 3, "backoffMs": 20], "links": ["missing"],
                    ],
                    "missing": [
                        "type": "api-request-to-your-app", "config": ["url": .string(world.httpbinURL + "/status/404")], "onError": "continue",
                        "links": ["report"],
                    ],
                    "report": [
                        "type": "transform",
                        "config": [
                            "output": ["missing": ["$var": "$.nodes.missing.output.error.key"], "flaky": ["$var": "$.nodes.flaky.output.status"]]
                        ],
                    ],
                ])
            func control(_ body: JSONValue) async throws {
                let answer = try await world.browser.send(.POST, world.saasURL + "/_control", json: body)
                #expect(answer.status == 200, "\(answer.body)")
            }
            try await control(["api": "503", "times": 2])
            let recovered = try await Self.start(client, "resilient", token: tenant, connectionID: connectionID, input: [:])
            try await world.drain(recovered)
            let run = try await FlowWorld.run(client, recovered, token: tenant)
            #expect(run["status"] == "completed" && run["output"] == ["missing": "not_found", "flaky": 200], "\(run)")
            let flaky = try #require(FlowWorld.node(run, "flaky"))
            #expect(flaky["status"] == "completed" && flaky["logs"]?.arrayCount == 2, "two failed attempts are logged: \(flaky)")
            #expect(FlowWorld.node(run, "missing")?["status"] == "failed" && FlowWorld.node(run, "missing")?["error"]?["key"] == "not_found")

            try await control(["api": "503", "times": 5])
            let exhausted = try await Self.start(client, "resilient", token: tenant, connectionID: connectionID, input: [:])
            try await world.drain(exhausted)
            let failed = try await FlowWorld.run(client, exhausted, token: tenant)
            #expect(failed["status"] == "failed" && failed["error"]?["nodeKey"] == "flaky" && failed["error"]?["key"] == "unavailable", "\(failed)")
            #expect(
                FlowWorld.node(failed, "flaky")?["logs"]?.arrayCount == 2 && FlowWorld.node(failed, "missing") == nil,
                "no node after a failed one runs")
        }
    }

    @Test("Stop: a queued run never starts, a running one stops at the next node boundary, a sleeping one stops at once")
    func stopQueuedRunningAndSleepingRuns() async throws {
        try await FlowWorld.with([.httpbin]) { world, client in
            let (admin, tenant, connectionID) = try await world.connected(client)
            try await Self.createFlow(
                client, admin: admin, key: "slow",
                nodes: [
                    "start": ["type": "api-trigger", "links": ["slow"]],
                    "slow": ["type": "api-request-to-your-app", "config": ["url": .string(world.httpbinURL + "/delay/2")], "links": ["after"]],
                    "after": ["type": "transform", "config": ["output": "done"]],
                ])
            try await Self.createFlow(
                client, admin: admin, key: "sleepy",
                nodes: [
                    "start": ["type": "api-trigger", "links": ["wait"]],
                    "wait": ["type": "delay", "config": ["seconds": 600], "links": ["after"]],
                    "after": ["type": "transform", "config": ["output": "done"]],
                ])

            let queued = try await Self.start(client, "slow", token: tenant, connectionID: connectionID, input: [:])
            let stopped = try await client.send(.post, "/flow-runs/\(queued)/stop", token: tenant)
            #expect(stopped.status == 200 && stopped.json["status"] == "stopped", "\(stopped.json)")
            try await world.drain(queued)
            #expect(try await FlowWorld.run(client, queued, token: tenant)["nodeRuns"]?.arrayCount == 0, "a stopped queued run runs no node")

            let running = try await Self.start(client, "slow", token: tenant, connectionID: connectionID, input: [:])
            let drained = Task { try await world.drain(running) }
            var started = false
            for _ in 0..<500 where !started {
                try await Task.sleep(for: .milliseconds(20))
                started = try await FlowWorld.run(client, running, token: tenant)["status"] == "running"
            }
            #expect(started, "the run started")
            let asked = try await client.send(.post, "/flow-runs/\(running)/stop", token: tenant)
            #expect(asked.json["stopRequested"] == true, "\(asked.json)")
            _ = try await drained.value
            let ended = try await FlowWorld.run(client, running, token: tenant)
            #expect(ended["status"] == "stopped", "\(ended)")
            #expect(
                FlowWorld.node(ended, "slow")?["status"] == "completed" && FlowWorld.node(ended, "after") == nil,
                "the node in progress finished; the next never started")

            let sleeping = try await Self.start(client, "sleepy", token: tenant, connectionID: connectionID, input: [:])
            let sleeper = Task { try await world.drain(sleeping, timeout: .seconds(60)) }
            var waiting = false
            for _ in 0..<500 where !waiting {
                try await Task.sleep(for: .milliseconds(20))
                waiting = FlowWorld.node(try await FlowWorld.run(client, sleeping, token: tenant), "wait")?["status"] == "waiting"
            }
            #expect(waiting, "the run sleeps on its delay")
            try await Task.sleep(for: .milliseconds(100))
            let woken = try await client.send(.post, "/flow-runs/\(sleeping)/stop", token: tenant)
            #expect(woken.json["status"] == "stopped", "a sleeping run stops at once: \(woken.json)")
            _ = try await sleeper.value
            #expect(FlowWorld.node(try await FlowWorld.run(client, sleeping, token: tenant), "after") == nil)
        }
    }

    @Test("A node whose output is over MAX_NODE_RUN_OUTPUT_SIZE_MB fails with output_too_large; a delay node sleeps in the queue and goes on")
    func outputLimitAndDelay() async throws {
        try await FlowWorld.with { world, client in
            let (admin, tenant, connectionID) = try await world.connected(client)
            try await Self.createFlow(
                client, admin: admin, key: "big",
                nodes: [
                    "start": ["type": "api-trigger", "links": ["pause"]],
                    "pause": ["type": "delay", "config": ["seconds": 1], "links": ["copy"]],
                    "copy": ["type": "transform", "config": ["output": [["$var": "$.input.text"], ["$var": "$.input.text"]]]],
                ])
            let runner = try world.runner(maxOutputBytes: 1024)
            let small = try await Self.start(client, "big", token: tenant, connectionID: connectionID, input: ["text": "short"])
            let began = ContinuousClock.now
            try await world.drain(small, runner: runner)
            #expect(ContinuousClock.now - began >= .milliseconds(900), "the delay was waited")
            let done = try await FlowWorld.run(client, small, token: tenant)
            #expect(done["status"] == "completed" && done["output"] == ["short", "short"], "\(done)")
            #expect(FlowWorld.node(done, "pause")?["status"] == "completed" && FlowWorld.node(done, "pause")?["output"]?["waitedSeconds"] != nil)

            let large = try await Self.start(
                client, "big", token: tenant, connectionID: connectionID, input: ["text": .string(String(repeating: "x", count: 600))])
            try await world.drain(large, runner: runner)
            let failed = try await FlowWorld.run(client, large, token: tenant)
            #expect(
                failed["status"] == "failed" && failed["error"]?["key"] == "output_too_large" && failed["error"]?["nodeKey"] == "copy", "\(failed)")
        }
    }

    @Test(
        """
        A filter node ends its branch when its condition fails; a run-flow node waits for the sub-flow and gives its output; the connection's queue \
        cap refuses a run without leaving a run row, and one connection runs one run at a time
        """
    )
    func filterSubFlowAndConnectionLimits() async throws {
        try await FlowWorld.with { world, client in
            let (admin, tenant, connectionID) = try await world.connected(client)
            try await Self.createFlow(
                client, admin: admin, key: "child",
                nodes: [
                    "start": ["type": "api-trigger", "links": ["double"]],
                    "double": [
                        "type": "transform", "config": ["output": ["twice": ["$concat": [["$var": "$.input.word"], ["$var": "$.input.word"]]]]],
                    ],
                ])
            try await Self.createFlow(
                client, admin: admin, key: "parent",
                nodes: [
                    "start": ["type": "api-trigger", "links": ["open"]],
                    "open": ["type": "filter", "config": ["condition": ["$eval": ["$var": "$.input.status"], "is": "open"]], "links": ["call"]],
                    "call": ["type": "run-flow", "config": ["flowKey": "child", "input": ["word": ["$var": "$.input.word"]]], "links": ["report"]],
                    "report": ["type": "transform", "config": ["output": ["$var": "$.nodes.call.output.output.twice"]]],
                ])
            let open = try await Self.start(client, "parent", token: tenant, connectionID: connectionID, input: ["status": "open", "word": "ab"])
            try await world.drain(open)
            let opened = try await FlowWorld.run(client, open, token: tenant)
            #expect(opened["status"] == "completed" && opened["output"] == "abab", "\(opened)")
            let childID = try #require(FlowWorld.node(opened, "call")?["output"]?["flowRunId"]?.stringValue)
            let child = try await FlowWorld.run(client, childID, token: tenant)
            #expect(child["parentRunId"] == .string(open) && child["trigger"] == "run-flow" && child["status"] == "completed", "\(child)")

            let closed = try await Self.start(client, "parent", token: tenant, connectionID: connectionID, input: ["status": "closed", "word": "ab"])
            try await world.drain(closed)
            let filtered = try await FlowWorld.run(client, closed, token: tenant)
            #expect(filtered["status"] == "completed" && FlowWorld.node(filtered, "open")?["output"] == ["passed": false], "\(filtered)")
            #expect(FlowWorld.node(filtered, "call") == nil && FlowWorld.node(filtered, "report") == nil, "the branch ended at the filter")

            // The queued queue's limits (ENABLE_LIMITS): a full connection queue refuses the run,
            // and the run row is not left behind (it commits with its job or not at all).
            let connections = try #require(world.harness.connections)
            let limits = JobLimitSettings(defaults: JobLimits(runningPerConnection: 1, queuePerConnection: 2))
            let launcher = FlowLauncher(
                records: world.harness.store.records, jobs: world.harness.store.jobs, webhooks: connections.webhooks, limits: limits,
                logger: APIHarness.logger)
            let connection = try await world.harness.store.records.get(.connections, id: connectionID, scope: .workspace(world.harness.workspace.key))
            let instance = try await connections.flowInstances.instance(
                of: "child", connection: connection, instanceKey: nil, scope: .tenant(connection.tenantID ?? "", in: connection.workspaceID))
            let before = try await client.send(.get, "/flow-runs?limit=1000", token: tenant).json["items"]?.arrayCount ?? -1
            for word in ["a", "b"] { _ = try await launcher.launch(instance, start: .init(trigger: "api-trigger", input: ["word": .string(word)])) }
            do {
                _ = try await launcher.launch(instance, start: .init(trigger: "api-trigger", input: ["word": "c"]))
                Issue.record("a third waiting run was accepted")
            } catch {
                #expect((error as? SwitchyardError)?.key == .rateLimitExceeded, "\(error)")
            }
            #expect(
                try await client.send(.get, "/flow-runs?limit=1000", token: tenant).json["items"]?.arrayCount == before + 2,
                "no run row without its job")
            let taken = try await world.harness.store.jobs.fetch(
                queue: .queued, worker: "limits-test", limit: 10, lease: .seconds(60), limits: limits)
            #expect(taken.count == 1 && taken.first?.connectionID == connectionID, "one run at a time per connection: \(taken.count)")
        }
    }
}
