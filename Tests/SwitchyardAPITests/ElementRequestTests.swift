import Foundation
import HTTPTypes
import Testing

import SwitchyardAPI
import SwitchyardCore

/// Requests to the generic element API that must be refused, each with a message naming what
/// is wrong (the layer rules themselves run end to end on PostgreSQL in the server tests).
@Suite("Element requests")
struct ElementRequestTests {
    @Test("Bad element requests get field-level 400s, duplicates 409, tenants 403 on shared layers")
    func badRequestsAreRefusedClearly() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            let tenant = try await harness.tenantToken("acme")
            #expect(try await client.send(.post, "/flows", token: admin, body: ["key": "sync", "name": "Sync"]).status == 201)

            let cases: [(JSONValue, String, String)] = [
                (["key": "sync2"], "name", "is required"),
                (["name": "No key"], "key", "is required"),
                (["key": "a.b", "name": "Dotted"], "key", "must not contain . or /"),
                (["key": "x", "name": .string(String(repeating: "n", count: 201))], "name", "must be 1 to 200 characters"),
                (["key": "x", "name": "X", "nodes": "not an object"], "nodes", "must be an object"),
                (["key": "x", "name": "X", "autoCreateInstances": "yes"], "autoCreateInstances", "must be a boolean"),
                (["key": "x", "name": "X", "color": "blue"], "color", "is not a known field"),
                (["key": "x", "name": "X", "parentId": "anything"], "parentId", "is not allowed at the universal layer"),
                (["key": "x", "name": "X", "instanceKey": "i"], "instanceKey", "needs connectionId (instances belong to a connection)"),
            ]
            for (body, field, problem) in cases {
                let answer = try await client.send(.post, "/flows", token: admin, body: body)
                #expect(answer.status == 400 && answer.json["data"]?[field] == .string(problem), "\(body): \(answer.status) \(answer.json)")
            }
            // References to what does not exist are 404s naming the field.
            let missing: [(JSONValue, String, String)] = [
                (["key": "x", "name": "X", "integrationKey": "nope"], "integrationKey", "no such integration"),
                (["key": "sync", "connectionId": "con_missing"], "connectionId", "no such connection"),
                (["key": "unknown", "integrationKey": "hub"], "key", "no universal flow with this key"),
                (["integrationKey": "hub", "parentId": "nothing"], "parentId", "no such flow"),
            ]
            #expect(try await client.send(.post, "/integrations", token: admin, body: ["key": "hub", "name": "Hub"]).status == 201)
            for (body, field, problem) in missing {
                let answer = try await client.send(.post, "/flows", token: admin, body: body)
                #expect(answer.status == 404 && answer.json["data"]?[field] == .string(problem), "\(body): \(answer.status) \(answer.json)")
            }
            let rootReset = try await client.send(.post, "/flows/sync/reset", token: admin)
            #expect(rootReset.status == 409 && rootReset.json["message"] == "flow sync has no parent, so there is nothing to reset it to")
            let duplicate = try await client.send(.post, "/flows", token: admin, body: ["key": "sync", "name": "Again"])
            #expect(duplicate.status == 409 && duplicate.json["key"] == "already_exists", "\(duplicate.json)")

            let shared = try await client.send(.post, "/flows", token: tenant, body: ["key": "mine", "name": "Mine"])
            #expect(shared.status == 403 && shared.json["key"] == "access_denied")
            #expect(try await client.send(.patch, "/flows/sync", token: tenant, body: ["name": "Mine"]).status == 403)
            #expect(try await client.send(.delete, "/flows/sync", token: tenant).status == 403)

            let nullName = try await client.send(.patch, "/flows/sync", token: admin, body: ["name": .null])
            #expect(nullName.status == 400 && nullName.json["data"]?["name"] == "is required")
            let putWithoutName = try await client.send(.put, "/flows/sync", token: admin, body: ["description": "only this"])
            #expect(putWithoutName.status == 400 && putWithoutName.json["data"]?["name"] == "is required")
            #expect(try await client.send(.get, "/flows?layer=sideways", token: admin).status == 400)
            #expect(try await client.send(.get, "/flows/nothing-here", token: admin).status == 404)
            #expect(try await client.send(.get, "/flows/sync", token: tenant).json["name"] == "Sync", "tenants read universal elements")
        }
    }
}
