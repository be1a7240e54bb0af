import Foundation
import HTTPTypes
import Testing

import SwitchyardAPI
import SwitchyardCore
import SwitchyardStore

@Suite("REST conventions")
struct RESTConventionsTests {
    @Test("Lists page with limit and cursor until the cursor is gone; limits outside 1...1000 are refused")
    func paging() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            for index in 0..<7 {
                #expect(try await client.send(.post, "/customers", token: admin, body: ["internalId": .string("c\(index)")]).status == 201)
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.send(.get, "/customers?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), token: admin)
                #expect(page.status == 200)
                if case .array(let items)? = page.json["items"] { seen += items.compactMap { $0["internalId"]?.stringValue } }
                cursor = page.json["cursor"]?.stringValue
            } while cursor != nil
            #expect(seen == (0..<7).map { "c\($0)" })
            for bad in ["0", "1001", "x"] {
                let answer = try await client.send(.get, "/customers?limit=\(bad)", token: admin)
                #expect(answer.status == 400 && answer.json["data"]?["limit"] != nil, "\(bad): \(answer.json)")
            }
            let forged = try await client.send(.get, "/customers?cursor=forged", token: admin)
            #expect(forged.status == 400)
        }
    }

    @Test("Validation names every bad field; duplicates are 409; selectors take an id or a key")
    func validationAndSelectors() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            let invalid = try await client.send(.post, "/integrations", token: admin, body: ["name": 5, "colour": "red", "parameters": "x"])
            #expect(invalid.status == 400)
            #expect(invalid.json["data"]?["key"] == "is required")
            #expect(invalid.json["data"]?["name"] == "must be a string")
            #expect(invalid.json["data"]?["colour"] == "is not a known field")
            #expect(invalid.json["data"]?["parameters"] == "must be an object")
            let nul = try await client.send(.post, "/integrations", token: admin, body: ["key": "k", "name": "a\u{0}b", "parameters": ["x": ["y\u{0}"]]])
            #expect(nul.status == 400 && nul.json["data"]?["name"] != nil && nul.json["data"]?["parameters"] != nil, "\(nul.json)")
            let notJSON = try await client.send(.post, "/integrations", token: admin, body: .string("{"))
            #expect(notJSON.status == 400)
            let created = try await client.send(.post, "/integrations", token: admin, body: ["key": "hub", "name": "Hub"])
            #expect(created.status == 201)
            let duplicate = try await client.send(.post, "/integrations", token: admin, body: ["key": "hub", "name": "Hub again"])
            #expect(duplicate.status == 409 && duplicate.json["key"] == "already_exists")
            let byKey = try await client.send(.get, "/integrations/hub", token: admin)
            let byID = try await client.send(.get, "/integrations/\(created.json["id"]?.stringValue ?? "")", token: admin)
            #expect(byKey.json["id"] == created.json["id"] && byID.json["id"] == created.json["id"])
            let renamed = try await client.send(.patch, "/integrations/hub", token: admin, body: ["name": "HubSpot"])
            #expect(renamed.json["name"] == "HubSpot")
            let archived = try await client.send(.delete, "/integrations/hub", token: admin)
            #expect(archived.status == 200 && archived.json["archivedAt"] != nil)
            #expect(try await client.send(.get, "/integrations", token: admin).json["items"]?.arrayCount == 0)
            #expect(try await client.send(.get, "/integrations?includeArchived=true", token: admin).json["items"]?.arrayCount == 1)
            #expect(try await client.send(.get, "/integrations/hub", token: admin).status == 404, "an archived object is gone unless asked for")
            #expect(try await client.send(.get, "/integrations/\(created.json["id"]?.stringValue ?? "")?includeArchived=true", token: admin).status == 200)
            #expect(try await client.send(.delete, "/integrations/\(created.json["id"]?.stringValue ?? "")", token: admin).status == 404)
            let missing = try await client.send(.get, "/integrations/nope", token: admin)
            #expect(missing.status == 404 && missing.json["key"] == "not_found")
            let noToken = try await client.send(.get, "/integrations", token: nil)
            #expect(noToken.status == 401)
        }
    }

    @Test("A background job's status follows the job")
    func backgroundJobStatus() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        let id = try await harness.store.jobs.enqueue([NewJob(kind: "export", queue: .queued, maxAttempts: 1, workspaceID: harness.workspace.key)], limits: nil)[0].id
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            #expect(try await client.send(.get, "/background-jobs/\(id)", token: admin).json["status"] == "pending")
            _ = try await harness.store.jobs.fetch(queue: .queued, worker: "w", limit: 1, lease: .seconds(30), limits: nil)
            #expect(try await client.send(.get, "/background-jobs/\(id)", token: admin).json["status"] == "running")
            _ = try await harness.store.jobs.fail(id, worker: "w", error: "the export failed", retryAt: 0, discard: false)
            let failed = try await client.send(.get, "/background-jobs/\(id)", token: admin)
            #expect(failed.json["status"] == "failed" && failed.json["error"] == "the export failed")
            #expect(try await client.send(.get, "/background-jobs/abc", token: admin).status == 404)
        }
    }
}
