import Foundation
import HTTPTypes
import SwitchyardCore
import Testing

extension FlowRunTests {
    @Test("Retry: a stopped run's instance runs again with the same input and the new run records retryOf; running or succeeded runs are refused")
    func retryStoppedRun() async throws {
        try await FlowWorld.with { world, client in
            let (admin, tenant, connectionID) = try await world.connected(client)
            try await Self.createFlow(
                client, admin: admin, key: "echo",
                nodes: [
                    "start": ["type": "api-trigger", "links": ["echo"]],
                    "echo": ["type": "transform", "config": ["output": ["said": ["$var": "$.input.say"]]]],
                ])
            let input: JSONValue = ["say": "hello again"]
            let stopped = try await Self.start(client, "echo", token: tenant, connectionID: connectionID, input: input)
            let refused = try await client.send(.post, "/flow-runs/\(stopped)/retry", token: admin)
            #expect(refused.status == 409 && refused.json["data"]?["status"] == "is queued", "a queued run is not retried: \(refused.json)")
            #expect(try await client.send(.post, "/flow-runs/\(stopped)/stop", token: tenant).json["status"] == "stopped")
            #expect(try await client.send(.post, "/flow-runs/\(stopped)/retry", token: tenant).status == 403, "admin only")

            let retried = try await client.send(.post, "/flow-runs/\(stopped)/retry", token: admin)
            #expect(retried.status == 201 && retried.json["status"] == "queued" && retried.json["retryOf"] == .string(stopped), "\(retried.json)")
            #expect(retried.json["input"] == input && retried.json["id"] != .string(stopped))
            let old = try await FlowWorld.run(client, stopped, token: admin)
            #expect(retried.json["flowInstanceId"] == old["flowInstanceId"], "the same flow instance")
            let newID = try #require(retried.json["id"]?.stringValue)
            try await world.drain(newID)
            let done = try await FlowWorld.run(client, newID, token: tenant)
            #expect(done["status"] == "completed" && FlowWorld.node(done, "echo")?["output"]?["said"] == "hello again", "\(done)")

            let succeeded = try await client.send(.post, "/flow-runs/\(newID)/retry", token: admin)
            #expect(succeeded.status == 409 && succeeded.json["message"]?.stringValue?.contains("succeeded") == true, "\(succeeded.json)")
            #expect(try await client.send(.post, "/flow-runs/no-such-run/retry", token: admin).status == 404)
        }
    }
}
