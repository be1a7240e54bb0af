import Foundation
import HTTPTypes
import NIOHTTP1
import Testing

import SwitchyardAPI
import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore
import SwitchyardTestSupport

/// Flow instances and the triggers that start them, on PostgreSQL with real OAuth connections:
/// instances created with a connection, enabled and disabled, with parameters, customized and
/// reset; app events routed to the right tenant; connection events; resume after a worker died.
// One test at a time: each starts its own servers, and a burst of them starves the rest of the
// suite on a small machine.
@Suite(.serialized, .enabled(if: PythonTestServer.available && APIHarness.postgresAvailable, "needs SWITCHYARD_TEST_PYTHON and PostgreSQL (scripts/test)"))
struct FlowInstanceTests {
    @Test("Instances: created with the connection when the flow says so, enabled and disabled, parameters checked and seen by nodes, customized and reset like any element")
    func instancesFollowTheElementRules() async throws {
        try await FlowWorld.with { world, client in
            let admin = try await world.harness.adminToken()
            let tenant = try await world.harness.tenantToken("acme")
            try await world.install(client, admin: admin)
            try await FlowRunTests.createFlow(
                client, admin: admin, key: "greet",
                nodes: [
                    "start": ["type": "api-trigger", "links": ["say"]],
                    "say": ["type": "transform", "config": ["output": ["$concat": [["$var": "$.parameters.greeting"], ", ", ["$var": "$.input.name"]]]]],
                ],
                extra: [
                    "autoCreateInstances": true,
                    "parametersSchema": ["type": "object", "required": ["greeting"], "properties": ["greeting": ["type": "string", "minLength": 2]]],
                ]
            )
            // A flow that is not a valid graph is refused, naming what is wrong.
            let invalid = try await client.send(.post, "/flows", token: admin, body: [
                "key": "broken", "name": "Broken", "integrationKey": "hub", "nodes": ["a": ["type": "transform", "config": ["output": 1]]],
            ])
            #expect(invalid.status == 400 && invalid.json["message"]?.stringValue?.contains("trigger") == true, "\(invalid.json)")
            let cycle = try await client.send(.post, "/flows", token: admin, body: [
                "key": "cycle", "name": "Cycle", "integrationKey": "hub",
                "nodes": ["t": ["type": "api-trigger", "links": ["a"]], "a": ["type": "transform", "config": ["output": 1], "links": ["b"]], "b": ["type": "transform", "config": ["output": 1], "links": ["a"]]],
            ])
            #expect(cycle.status == 400 && cycle.json["message"]?.stringValue?.contains("cycle") == true, "\(cycle.json)")
            let dangling = try await client.send(.post, "/flows", token: admin, body: [
                "key": "dangling", "name": "Dangling", "integrationKey": "hub", "nodes": ["t": ["type": "api-trigger", "links": ["nowhere"]]],
            ])
            #expect(dangling.status == 400 && dangling.json["data"]?["nodes.t.links"] != nil, "\(dangling.json)")

            let connectionID = try await world.connect(client, token: tenant)
            let listed = try await client.send(.get, "/flow-instances?connectionId=\(connectionID)", token: tenant)
            #expect(listed.json["items"]?.arrayCount == 1, "the instance came with the connection: \(listed.json)")
            let instance = try #require(listed.json["items"]?[0])
            let instanceID = try #require(instance["id"]?.stringValue)
            #expect(instance["enabled"] == true && instance["key"] == "greet" && instance["isCustomized"] == false, "\(instance)")

            let bad = try await client.send(.patch, "/flow-instances/\(instanceID)", token: tenant, body: ["parameters": ["greeting": "x"]])
            #expect(bad.status == 400 && bad.json["data"] != nil, "parameters are checked against parametersSchema: \(bad.json)")
            let set = try await client.send(.patch, "/flow-instances/\(instanceID)", token: tenant, body: ["parameters": ["greeting": "Hello"]])
            #expect(set.status == 200 && set.json["parameters"] == ["greeting": "Hello"] && set.json["isCustomized"] == false, "settings do not customize: \(set.json)")
            let run = try await client.send(.post, "/flow-instances/\(instanceID)/run", token: tenant, body: ["input": ["name": "Ada"]])
            #expect(run.status == 201, "\(run.json)")
            #expect(try await world.drain(try #require(run.json["id"]?.stringValue))["output"] == "Hello, Ada")

            let disabled = try await client.send(.patch, "/flow-instances/\(instanceID)", token: tenant, body: ["enabled": false])
            #expect(disabled.json["enabled"] == false)
            let refused = try await client.send(.post, "/flow-instances/\(instanceID)/run", token: tenant, body: ["input": [:]])
            #expect(refused.status == 409, "a disabled instance does not run: \(refused.json)")
            _ = try await client.send(.patch, "/flow-instances/\(instanceID)", token: tenant, body: ["enabled": true])

            // Customize the instance's nodes, then reset it to follow the flow again.
            let custom = try await client.send(.patch, "/flows/\(instanceID)", token: tenant, body: [
                "nodes": ["start": ["type": "api-trigger", "links": ["say"]], "say": ["type": "transform", "config": ["output": "customized"]]],
            ])
            #expect(custom.status == 200 && custom.json["isCustomized"] == true && custom.json["parameters"] == ["greeting": "Hello"], "\(custom.json)")
            let customRun = try await FlowRunTests.start(client, "greet", token: tenant, connectionID: connectionID, input: ["name": "Bo"])
            #expect(try await world.drain(customRun)["output"] == "customized")
            let reset = try await client.send(.post, "/flows/\(instanceID)/reset", token: tenant)
            #expect(reset.json["isCustomized"] == false && reset.json["enabled"] == true, "\(reset.json)")
            let resetRun = try await FlowRunTests.start(client, "greet", token: tenant, connectionID: connectionID, input: ["name": "Bo"])
            #expect(try await world.drain(resetRun)["output"] == "Hello, Bo")

            // A second instance with its own instance key, created on demand by a run.
            let second = try await client.send(.post, "/flows/greet/run", token: tenant, body: ["connectionId": .string(connectionID), "instanceKey": "second", "input": ["name": "Cy"]])
            #expect(second.status == 201 && second.json["flowInstanceId"] != .string(instanceID), "\(second.json)")
            let duplicate = try await client.send(.post, "/flow-instances", token: tenant, body: ["flowKey": "greet", "connectionId": .string(connectionID), "instanceKey": "second"])
            #expect(duplicate.status == 409, "\(duplicate.json)")
        }
    }

    @Test("An app event runs the flow instance of the tenant its token or the trigger's tenant formula names, and is refused when no tenant can be resolved")
    func appEventsRouteToTheRightTenant() async throws {
        try await FlowWorld.with { world, client in
            let admin = try await world.harness.adminToken()
            let acme = try await world.harness.tenantToken("acme")
            let globex = try await world.harness.tenantToken("globex")
            try await world.install(client, admin: admin)
            try await FlowRunTests.createFlow(
                client, admin: admin, key: "on-invoice",
                nodes: [
                    "start": [
                        "type": "app-event-trigger",
                        "config": ["tenantIdFormula": ["$var": "$.payload.customerId"], "filter": ["$eval": ["$var": "$.payload.amount"], "gt": 0]],
                        "links": ["note"],
                    ],
                    "note": ["type": "transform", "config": ["output": ["amount": ["$var": "$.input.amount"]]]],
                ],
                extra: ["autoCreateInstances": true]
            )
            let flow = try await client.send(.get, "/flows/on-invoice?integrationKey=hub", token: admin)
            let flowID = try #require(flow.json["id"]?.stringValue)
            let acmeConnection = try await world.connect(client, token: acme)
            let globexConnection = try await world.connect(client, token: globex)

            let routed = try await client.send(.post, "/webhooks/app-events/\(flowID)", token: admin, body: ["customerId": "globex", "amount": 5])
            #expect(routed.status == 202 && routed.json["flowRunIds"]?.arrayCount == 1, "\(routed.json)")
            let runID = try #require(routed.json["flowRunIds"]?[0]?.stringValue)
            let run = try await world.drain(runID)
            #expect(run["connectionId"] == .string(globexConnection) && run["output"] == ["amount": 5], "\(run)")
            #expect(try await client.send(.get, "/flow-runs/\(runID)", token: acme).status == 404, "acme does not see globex's run")

            // The tenant token decides over the payload.
            let byToken = try await client.send(.post, "/webhooks/app-events/\(flowID)", token: acme, body: ["customerId": "globex", "amount": 7])
            let tokenRun = try await world.drain(try #require(byToken.json["flowRunIds"]?[0]?.stringValue))
            #expect(tokenRun["connectionId"] == .string(acmeConnection), "\(tokenRun)")

            let unresolved = try await client.send(.post, "/webhooks/app-events/\(flowID)", token: admin, body: ["amount": 5])
            #expect(unresolved.status == 400 && unresolved.json["data"]?["tenant"] != nil, "\(unresolved.json)")
            let unknown = try await client.send(.post, "/webhooks/app-events/\(flowID)", token: admin, body: ["customerId": "initech", "amount": 5])
            #expect(unknown.status == 400 && unknown.json["data"]?["tenant"] == "no such tenant", "\(unknown.json)")
            let filtered = try await client.send(.post, "/webhooks/app-events/\(flowID)", token: admin, body: ["customerId": "globex", "amount": 0])
            #expect(filtered.status == 202 && filtered.json["flowRunIds"]?.arrayCount == 0, "the trigger's filter holds the event back: \(filtered.json)")
        }
    }

    @Test("Data record and connector events of a connection run its instances whose trigger matches")
    func connectionEventsStartMatchingInstances() async throws {
        try await FlowWorld.with { world, client in
            let admin = try await world.harness.adminToken()
            let tenant = try await world.harness.tenantToken("acme")
            try await world.install(client, admin: admin)
            let echo: JSONValue = ["type": "transform", "config": ["output": ["$var": "$.input"]]]
            try await FlowRunTests.createFlow(client, admin: admin, key: "on-task", nodes: [
                "start": ["type": "data-record-created-trigger", "config": ["collectionKey": "tasks"], "links": ["echo"]], "echo": echo,
            ], extra: ["autoCreateInstances": true])
            try await FlowRunTests.createFlow(client, admin: admin, key: "on-ping", nodes: [
                "start": ["type": "connector-event-trigger", "config": ["eventKey": "ping"], "links": ["echo"]], "echo": echo,
            ], extra: ["autoCreateInstances": true])
            let connectionID = try await world.connect(client, token: tenant)
            let created = try await client.send(.post, "/connections/\(connectionID)/events", token: tenant, body: [
                "type": "data-record-created", "collectionKey": "tasks", "payload": ["record": ["id": "t1"]],
            ])
            #expect(created.status == 202 && created.json["flowRunIds"]?.arrayCount == 1, "\(created.json)")
            #expect(try await world.drain(try #require(created.json["flowRunIds"]?[0]?.stringValue))["output"] == ["record": ["id": "t1"]])
            let otherCollection = try await client.send(.post, "/connections/\(connectionID)/events", token: tenant, body: ["type": "data-record-created", "collectionKey": "notes"])
            #expect(otherCollection.json["flowRunIds"]?.arrayCount == 0)
            let updated = try await client.send(.post, "/connections/\(connectionID)/events", token: tenant, body: ["type": "data-record-updated", "collectionKey": "tasks"])
            #expect(updated.json["flowRunIds"]?.arrayCount == 0, "no instance listens for updates")
            let ping = try await client.send(.post, "/connections/\(connectionID)/events", token: admin, body: ["type": "connector-event", "eventKey": "ping", "payload": ["n": 1]])
            #expect(ping.json["flowRunIds"]?.arrayCount == 1, "\(ping.json)")
            let noKey = try await client.send(.post, "/connections/\(connectionID)/events", token: tenant, body: ["type": "connector-event"])
            #expect(noKey.status == 400 && noKey.json["data"]?["eventKey"] != nil, "\(noKey.json)")
        }
    }

    @Test("A run picked up again after its worker died goes on from its stored node results: completed nodes are not run again, an interrupted non-idempotent node fails the run as interrupted")
    func resumeFromStoredNodeRuns() async throws {
        try await FlowWorld.with([.saas]) { world, client in
            let (admin, tenant, connectionID) = try await world.connected(client)
            try await FlowRunTests.createFlow(client, admin: admin, key: "steps", nodes: [
                "start": ["type": "api-trigger", "links": ["stamp"]],
                "stamp": ["type": "transform", "config": ["output": ["$var": "$.input.stamp"]], "links": ["send"]],
                "send": ["type": "api-request-to-your-app", "config": ["method": "POST", "url": .string(world.saasURL + "/api/send"), "body": ["stamp": ["$var": "$.nodes.stamp.output"]]], "links": ["report"]],
                "report": ["type": "transform", "config": ["output": ["stamp": ["$var": "$.nodes.stamp.output"], "sent": ["$var": "$.nodes.send.output.data.json.stamp"]]]],
            ])
            let store = world.harness.store.records
            let stats = { () async throws -> Int in
                let answer = try await world.browser.send(.GET, world.saasURL + "/_stats")
                return Int(try JSONValue.parse(answer.body)["api_requests"]?.numberValue ?? -1)
            }

            /// A run as a dead worker left it: running, with these node runs stored.
            func interrupted(_ nodes: [(String, String, JSONValue)]) async throws -> String {
                let runID = try await FlowRunTests.start(client, "steps", token: tenant, connectionID: connectionID, input: ["stamp": "fresh"])
                let run = try await store.get(.flowRuns, id: runID, scope: .workspace(world.harness.workspace.key))
                let scope = StoreScope.tenant(run.tenantID ?? "", in: run.workspaceID)
                _ = try await store.update(.flowRuns, id: runID, scope: scope, expectedRevision: nil) { record in
                    var members = record.document.objectValue ?? [:]
                    members["status"] = "running"
                    record.document = .object(members)
                }
                for (key, status, output) in nodes {
                    _ = try await store.insert(
                        NewRecord(kind: .nodeRuns, tenantID: run.tenantID, parentID: runID, document: ["runId": .string(runID), "nodeKey": .string(key), "status": .string(status), "output": output]),
                        scope: scope
                    )
                }
                return runID
            }

            let before = try await stats()
            let resumed = try await interrupted([("start", "completed", ["stamp": "fresh"]), ("stamp", "completed", "from-the-first-worker")])
            let run = try await FlowWorld.run(client, resumed, token: tenant)
            #expect(run["nodeRuns"]?.arrayCount == 2)
            try await world.drain(resumed)
            let done = try await FlowWorld.run(client, resumed, token: tenant)
            #expect(done["status"] == "completed" && done["output"] == ["stamp": "from-the-first-worker", "sent": "from-the-first-worker"], "the stored result was used, not a new one: \(done)")
            #expect(done["nodeRuns"]?.arrayCount == 4, "one node run per node: \(done["nodeRuns"]?.arrayCount ?? -1)")
            #expect(try await stats() == before + 1)

            let cut = try await interrupted([("start", "completed", ["stamp": "fresh"]), ("stamp", "completed", "x"), ("send", "running", .null)])
            try await world.drain(cut)
            let failed = try await FlowWorld.run(client, cut, token: tenant)
            #expect(failed["status"] == "failed" && failed["error"]?["key"] == "interrupted" && failed["error"]?["nodeKey"] == "send", "\(failed)")
            #expect(try await stats() == before + 1, "the interrupted request was not sent again")
            #expect(FlowWorld.node(failed, "report") == nil)
        }
    }

    @Test("Runs tell the SaaS: flowRun.queued, started and completed (or failed, stopped) become webhook deliveries")
    func runEventsBecomeWebhookDeliveries() async throws {
        try await FlowWorld.with { world, client in
            let (admin, tenant, connectionID) = try await world.connected(client)
            let settings = try await client.send(.put, "/webhook-settings", token: admin, body: [
                "url": .string(world.saasURL + "/webhooks"), "secret": "a-webhook-secret-of-enough-length", "events": ["flowRun.queued", "flowRun.started", "flowRun.completed", "flowRun.failed", "flowRun.stopped"],
            ])
            #expect(settings.status == 200, "\(settings.json)")
            try await FlowRunTests.createFlow(client, admin: admin, key: "tiny", nodes: [
                "start": ["type": "api-trigger", "links": ["fail"]],
                "fail": ["type": "transform", "config": ["output": ["$var": "$.input.missing.deeper"]]],
            ])
            let ok = try await FlowRunTests.start(client, "tiny", token: tenant, connectionID: connectionID, input: ["missing": ["deeper": 1]])
            try await world.drain(ok)
            let stopped = try await FlowRunTests.start(client, "tiny", token: tenant, connectionID: connectionID, input: [:])
            _ = try await client.send(.post, "/flow-runs/\(stopped)/stop", token: tenant)
            let deliveries = try await client.send(.get, "/webhook-deliveries?limit=100", token: admin)
            let events = (deliveries.json["items"]?.arrayValue ?? []).compactMap { item -> String? in
                guard item["payload"]?["data"]?["flowRunId"] == .string(ok) || item["payload"]?["data"]?["flowRunId"] == .string(stopped) else { return nil }
                return item["event"]?.stringValue
            }
            #expect(events == ["flowRun.queued", "flowRun.started", "flowRun.completed", "flowRun.queued", "flowRun.stopped"], "\(events)")
        }
    }
}

extension JSONValue {
    var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
