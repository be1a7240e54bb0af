import Foundation
import HTTPTypes
import SwitchyardAPI
import SwitchyardCore
import SwitchyardStore
import Testing

/// Console users of a workspace, with the roles admin, member and viewer.
@Suite("Platform users")
struct PlatformUserTests {
    @Test(
        """
        Users belong to a workspace with a role; emails are unique regardless of case; the last admin cannot be demoted or removed; other workspaces \
        and tenants see none
        """
    )
    func platformUsers() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        let other = Workspace(key: "other-workspace", name: "Other", secret: Workspace.newSecret())
        _ = try await harness.store.records.insert(
            NewRecord(kind: .workspaces, id: other.key, key: other.key, document: ["name": "Other"], secret: ["secret": .string(other.secret)]),
            scope: .workspace(other.key)
        )
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            let ada = try await client.send(
                .post, "/platform-users", token: admin, body: ["email": "Ada@Example.com", "role": "admin", "name": "Ada"])
            #expect(ada.status == 201 && ada.json["email"] == "ada@example.com" && ada.json["role"] == "admin", "\(ada.json)")
            let bob = try await client.send(.post, "/platform-users", token: admin, body: ["email": "bob@example.com", "role": "member"])
            #expect(bob.status == 201, "\(bob.json)")
            #expect(
                try await client.send(.post, "/platform-users", token: admin, body: ["email": "ADA@example.com", "role": "member"]).status == 409)
            let bad = try await client.send(.post, "/platform-users", token: admin, body: ["email": "not-an-email", "role": "owner"])
            #expect(
                bad.status == 400 && bad.json["data"]?["email"] != nil && bad.json["data"]?["role"] == "must be admin, member or viewer",
                "\(bad.json)")
            // What the schema's pattern accepts, the route accepts: an `@` followed by an emoji
            // modifier is still one `@` (schemathesis found this one).
            let modified = try await client.send(
                .post, "/platform-users", token: admin, body: ["email": "x@\u{1F3FB}host.example", "role": "member"])
            #expect(modified.status == 201, "\(modified.json)")
            let modifiedID = try #require(modified.json["id"]?.stringValue)
            #expect(try await client.send(.delete, "/platform-users/\(modifiedID)", token: admin).status == 200)

            #expect(try await client.send(.get, "/platform-users/ada@example.com", token: admin).json["name"] == "Ada")
            let adaID = try #require(ada.json["id"]?.stringValue)
            let demote = try await client.send(.patch, "/platform-users/\(adaID)", token: admin, body: ["role": "member"])
            #expect(demote.status == 409 && demote.json["message"]?.stringValue?.contains("last admin") == true, "\(demote.json)")
            #expect(try await client.send(.delete, "/platform-users/\(adaID)", token: admin).status == 409)
            let promoted = try await client.send(.patch, "/platform-users/bob@example.com", token: admin, body: ["role": "admin"])
            #expect(promoted.status == 200 && promoted.json["role"] == "admin", "\(promoted.json)")
            #expect(try await client.send(.delete, "/platform-users/\(adaID)", token: admin).status == 200)
            #expect(try await client.send(.get, "/platform-users/\(adaID)", token: admin).status == 404)
            #expect(
                try await client.send(.post, "/platform-users", token: admin, body: ["email": "ada@example.com", "role": "member"]).status == 201,
                "an archived user's email is free")
            #expect(try await client.send(.get, "/platform-users", token: admin).json["items"]?.arrayCount == 2)

            let tenant = try await harness.tenantToken("acme")
            #expect(try await client.send(.get, "/platform-users", token: tenant).status == 403)
            let otherAdmin = try await APIHarness.sign(
                ["iss": .string(other.key), "isAdmin": true, "exp": .number(Date().timeIntervalSince1970 + 600)], secret: other.secret)
            #expect(try await client.send(.get, "/platform-users", token: otherAdmin).json["items"]?.arrayCount == 0)
            #expect(try await client.send(.get, "/platform-users/bob@example.com", token: otherAdmin).status == 404)
        }
    }

    @Test("A user may be a viewer (read only in the console); demoting the last admin to viewer is refused")
    func viewerRole() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            let viewer = try await client.send(.post, "/platform-users", token: admin, body: ["email": "vera@example.com", "role": "viewer"])
            #expect(viewer.status == 201 && viewer.json["role"] == "viewer", "\(viewer.json)")
            let ada = try await client.send(.post, "/platform-users", token: admin, body: ["email": "ada@example.com", "role": "admin"])
            let adaID = try #require(ada.json["id"]?.stringValue)
            let demoted = try await client.send(.patch, "/platform-users/\(adaID)", token: admin, body: ["role": "viewer"])
            #expect(demoted.status == 409, "the last admin stays an admin: \(demoted.json)")
            let promoted = try await client.send(.patch, "/platform-users/vera@example.com", token: admin, body: ["role": "member"])
            #expect(promoted.status == 200 && promoted.json["role"] == "member", "\(promoted.json)")
        }
    }
}
