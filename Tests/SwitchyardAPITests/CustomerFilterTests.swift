import Foundation
import HTTPTypes
import SwitchyardAPI
import SwitchyardCore
import SwitchyardStore
import Testing

/// The lists the console's customer page reads, narrowed to one customer with `customerId`
/// (its id or internalId) in the store's query, the flow runs list narrowed to one flow with
/// `flowId`, and `POST /flow-runs/{id}/retry`.
@Suite struct CustomerFilterTests {
    /// Two customers, each with a connection, an instance of universal flow `ping` and one
    /// queued run of it.
    struct World {
        var admin: String
        var customers: [String: String]
        var connections: [String: String]
        var instances: [String: String]
        var runs: [String: String]
        var flowID: String
    }

    static func world(_ harness: APIHarness, _ client: APIClient) async throws -> World {
        let admin = try await harness.adminToken()
        let flow = try await client.send(
            .post, "/flows", token: admin,
            body: [
                "key": "ping", "name": "Ping",
                "nodes": ["start": ["type": "api-trigger", "links": ["done"]], "done": ["type": "transform", "config": ["output": ["ok": true]]]],
            ])
        #expect(flow.status == 201, "\(flow.json)")
        let flowID = try #require(flow.json["id"]?.stringValue)
        var world = World(admin: admin, customers: [:], connections: [:], instances: [:], runs: [:], flowID: flowID)
        for name in ["acme", "globex"] {
            let customer = try await client.send(.post, "/customers", token: admin, body: ["internalId": .string(name)])
            let id = try #require(customer.json["id"]?.stringValue, "\(customer.json)")
            world.customers[name] = id
            let connection = try await harness.store.records.insert(
                NewRecord(kind: .connections, tenantID: id, parentID: "some-integration", document: ["name": .string("\(name)'s hub")]),
                scope: .tenant(id, in: harness.workspace.key))
            world.connections[name] = connection.id
            let instance = try await client.send(
                .post, "/flow-instances", token: admin, body: ["flowKey": "ping", "connectionId": .string(connection.id)])
            #expect(instance.status == 201, "\(instance.json)")
            let instanceID = try #require(instance.json["id"]?.stringValue)
            world.instances[name] = instanceID
            let run = try await client.send(.post, "/flow-instances/\(instanceID)/run", token: admin, body: ["input": ["who": .string(name)]])
            #expect(run.status == 201, "\(run.json)")
            world.runs[name] = try #require(run.json["id"]?.stringValue)
        }
        return world
    }

    static func ids(_ answer: APIClient.Answer) -> Set<String> {
        Set((answer.json["items"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
    }

    @Test("customerId narrows connections, flow instances and flow runs to one customer, by id or internalId; an unknown one is 404")
    func customerIdNarrowsEachList() async throws {
        let harness = try await APIHarness.make(connections: true)
        try await harness.withClient { client in
            let world = try await Self.world(harness, client)
            let acme = try #require(world.customers["acme"])
            for selector in [acme, "acme"] {
                let connections = try await client.send(.get, "/connections?customerId=\(selector)", token: world.admin)
                #expect(connections.status == 200 && Self.ids(connections) == [world.connections["acme"]!], "\(connections.json)")
                let instances = try await client.send(.get, "/flow-instances?customerId=\(selector)", token: world.admin)
                #expect(instances.status == 200 && Self.ids(instances) == [world.instances["acme"]!], "\(instances.json)")
                let runs = try await client.send(.get, "/flow-runs?customerId=\(selector)", token: world.admin)
                #expect(runs.status == 200 && Self.ids(runs) == [world.runs["acme"]!], "\(runs.json)")
            }
            #expect(Self.ids(try await client.send(.get, "/connections", token: world.admin)).count == 2, "no filter: both")
            #expect(Self.ids(try await client.send(.get, "/flow-runs", token: world.admin)).count == 2, "no filter: both")
            for path in ["/connections", "/flow-instances", "/flow-runs"] {
                let unknown = try await client.send(.get, "\(path)?customerId=nobody", token: world.admin)
                #expect(unknown.status == 404 && unknown.json["message"] == "customer nobody not found", "\(path): \(unknown.json)")
            }
            let byFlow = try await client.send(.get, "/flow-runs?flowId=\(world.flowID)&customerId=globex", token: world.admin)
            #expect(Self.ids(byFlow) == [world.runs["globex"]!], "\(byFlow.json)")
            let otherFlow = try await client.send(.get, "/flow-runs?flowId=some-other-flow", token: world.admin)
            #expect(otherFlow.status == 200 && Self.ids(otherFlow).isEmpty, "\(otherFlow.json)")
        }
        await harness.tearDown()
    }

    @Test("Retry: a queued run is refused with 409; a failed run gets a new queued run with the same input and retryOf")
    func retryQueuesANewRunOfTheSameInstance() async throws {
        let harness = try await APIHarness.make(connections: true)
        try await harness.withClient { client in
            let world = try await Self.world(harness, client)
            let runID = try #require(world.runs["acme"])
            let queued = try await client.send(.post, "/flow-runs/\(runID)/retry", token: world.admin)
            #expect(queued.status == 409 && queued.json["data"]?["status"] == "is queued", "\(queued.json)")
            let scope = StoreScope.workspace(harness.workspace.key)
            _ = try await harness.store.records.update(.flowRuns, id: runID, scope: scope, expectedRevision: nil) { record in
                guard case .object(var members) = record.document else {
                    Issue.record("the stored flow run is not a JSON object: \(record.document)")
                    return
                }
                members["status"] = "failed"
                record.document = .object(members)
            }
            let retried = try await client.send(.post, "/flow-runs/\(runID)/retry", token: world.admin)
            #expect(retried.status == 201, "\(retried.json)")
            #expect(retried.json["retryOf"] == .string(runID) && retried.json["status"] == "queued", "\(retried.json)")
            #expect(retried.json["input"] == ["who": "acme"], "\(retried.json)")
            #expect(retried.json["flowInstanceId"] == .string(world.instances["acme"]!), "\(retried.json)")
            #expect(retried.json["id"] != .string(runID))
            let tenant = try await harness.tenantToken("acme")
            #expect(try await client.send(.post, "/flow-runs/\(runID)/retry", token: tenant).status == 403, "admins only")
            #expect(try await client.send(.post, "/flow-runs/nothing/retry", token: world.admin).status == 404)
        }
        await harness.tearDown()
    }
}
