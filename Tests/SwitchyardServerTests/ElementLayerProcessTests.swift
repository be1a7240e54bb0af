import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Testing

import SwitchyardCore
import SwitchyardStore

/// The element layer rules through the HTTP API of a real `switchyard serve --role api` on
/// PostgreSQL: a child follows its parent until it is customized, keeps its changes until
/// `reset`, and goes when the element above it is archived.
@Suite(.enabled(if: TestEnvironment.canRunBinary && TestEnvironment.canUsePostgres, "needs the switchyard binary and PostgreSQL"))
struct ElementLayerProcessTests {
    /// Talks JSON to the API process.
    struct API {
        let port: Int

        func send(_ method: HTTPMethod, _ path: String, token: String, body: JSONValue? = nil) async throws -> (status: Int, json: JSONValue) {
            let response = try await TestHTTP.send(
                port: port, path: path, method: method, headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                body: body.map { ByteBuffer(string: $0.jsonText) }
            )
            return (response.status, (try? JSONValue.parse(response.body)) ?? .null)
        }
    }

    @Test("Follow parent, customize, reset and archive across the universal, integration and instance layers")
    func layerRulesEndToEnd() async throws {
        let adminURL = try #require(TestEnvironment.postgresURL)
        let database = try PostgresTestDatabase.create(adminURL: adminURL)
        defer { database.drop() }
        let url = database.url(port: URLComponents(string: adminURL)?.port ?? 5432)
        var environment = ["DATABASE_URL": url, "SECRET": "element-layer-test-secret-0123456789"]
        environment["DATA_DIR"] = try await SwitchyardProcess.migratedDataDirectory(environment: environment)
        let server = try SwitchyardProcess(["serve", "--role", "api"], environment: environment)
        let api = API(port: try await server.waitUntilHealthy())
        func token(_ arguments: [String]) async throws -> String {
            let result = try await SwitchyardProcess.run(["token"] + arguments, environment: environment)
            #expect(result.status == 0, "\(result.output)")
            // The token is the line that looks like a JWT (log lines may come with it).
            return result.output.split(separator: "\n").map(String.init).last { $0.hasPrefix("eyJ") && $0.split(separator: ".").count == 3 } ?? ""
        }
        let admin = try await token(["--admin"])
        let tenant = try await token(["--tenant", "acme"])
        let other = try await token(["--tenant", "globex"])

        // The universal element, and one integration's child of it (same key, no content: it follows).
        let universal = try await api.send(.POST, "/actions", token: admin, body: ["key": "create-task", "name": "Create task", "type": "transform", "config": ["priority": 1]])
        #expect(universal.status == 201, "\(universal.json)")
        #expect(universal.json["layer"] == "universal")
        let integration = try await api.send(.POST, "/integrations", token: admin, body: ["key": "hub", "name": "Hub"])
        let integrationID = try #require(integration.json["id"]?.stringValue)
        let child = try await api.send(.POST, "/actions", token: admin, body: ["key": "create-task", "integrationKey": "hub"])
        #expect(child.status == 201, "\(child.json)")
        #expect(child.json["layer"] == "integration" && child.json["parentId"] == universal.json["id"] && child.json["integrationId"] == .string(integrationID))
        #expect(child.json["isCustomized"] == false && child.json["name"] == "Create task" && child.json["config"]?["priority"] == 1)

        // The tenant's connection (the connect flow comes with the connections issue), and its instance.
        let me = try await api.send(.GET, "/self", token: tenant).json
        let customerID = try #require(me["customer"]?["id"]?.stringValue, "\(me)")
        let workspaceKey = try #require(me["workspaceKey"]?.stringValue)
        let store = try OpenStore.open(
            .postgres(try PostgresURL.parse(url)), keys: KeyRing(secret: "not-used-no-secrets-here-0123"), cursors: PageCursor(secret: "not-used-no-cursors-here-0123"),
            logger: Logger(label: "element-layer-test")
        )
        let connectionID = try await store.whileRunning { store in
            try await store.records.insert(
                NewRecord(kind: .connections, tenantID: customerID, parentID: integrationID, document: ["name": "Acme's hub"]), scope: .tenant(customerID, in: workspaceKey)
            ).id
        }
        let instance = try await api.send(.POST, "/actions", token: tenant, body: ["key": "create-task", "connectionId": .string(connectionID)])
        #expect(instance.status == 201, "\(instance.json)")
        let instanceID = try #require(instance.json["id"]?.stringValue)
        #expect(instance.json["layer"] == "instance" && instance.json["parentId"] == child.json["id"] && instance.json["tenantId"] == .string(customerID))
        #expect(instance.json["name"] == "Create task" && instance.json["isCustomized"] == false)
        let duplicate = try await api.send(.POST, "/actions", token: tenant, body: ["key": "create-task", "connectionId": .string(connectionID)])
        #expect(duplicate.status == 409 && duplicate.json["key"] == "already_exists", "\(duplicate.json)")
        let second = try await api.send(.POST, "/actions", token: tenant, body: ["key": "create-task", "connectionId": .string(connectionID), "instanceKey": "second"])
        #expect(second.status == 201 && second.json["instanceKey"] == "second", "\(second.json)")

        // Follow: a change to the universal element shows through both layers below it.
        let renamed = try await api.send(.PATCH, "/actions/create-task", token: admin, body: ["name": "Create task v2"])
        #expect(renamed.status == 200 && renamed.json["name"] == "Create task v2" && renamed.json["revision"] == 2, "\(renamed.json)")
        let followed = try await api.send(.GET, "/actions/create-task?connectionId=\(connectionID)", token: tenant)
        #expect(followed.json["id"] == .string(instanceID) && followed.json["name"] == "Create task v2" && followed.json["config"]?["priority"] == 1, "\(followed.json)")
        #expect(try await api.send(.GET, "/actions/hub.create-task", token: tenant).json["name"] == "Create task v2")

        // Customize: the tenant's change sticks, even when the parent changes again.
        let customized = try await api.send(.PATCH, "/actions/\(instanceID)", token: tenant, body: ["config": ["priority": 5]])
        #expect(customized.status == 200 && customized.json["isCustomized"] == true && customized.json["name"] == "Create task v2", "\(customized.json)")
        _ = try await api.send(.PATCH, "/actions/create-task", token: admin, body: ["name": "Create task v3", "description": "newest"])
        let kept = try await api.send(.GET, "/actions/\(instanceID)", token: tenant)
        #expect(kept.json["name"] == "Create task v2" && kept.json["config"]?["priority"] == 5 && kept.json["description"] == nil, "\(kept.json)")
        #expect(try await api.send(.GET, "/actions/hub.create-task", token: admin).json["name"] == "Create task v3")
        #expect(try await api.send(.GET, "/actions/create-task?connectionId=\(connectionID)&instanceKey=second", token: tenant).json["name"] == "Create task v3")

        // Reset: it follows again and shows the parent's current content.
        let reset = try await api.send(.POST, "/actions/\(instanceID)/reset", token: tenant)
        #expect(reset.status == 200 && reset.json["isCustomized"] == false && reset.json["name"] == "Create task v3" && reset.json["config"]?["priority"] == 1, "\(reset.json)")
        let rootReset = try await api.send(.POST, "/actions/create-task/reset", token: admin)
        #expect(rootReset.status == 409, "a universal element has no parent to reset to: \(rootReset.json)")

        // PUT replaces content; a patch with null removes a field.
        let replaced = try await api.send(.PUT, "/actions/hub.create-task", token: admin, body: ["name": "Hub task", "type": "connector-operation"])
        #expect(replaced.status == 200 && replaced.json["isCustomized"] == true && replaced.json["config"] == nil && replaced.json["type"] == "connector-operation", "\(replaced.json)")
        #expect(try await api.send(.GET, "/actions/\(instanceID)", token: tenant).json["name"] == "Hub task", "instances follow the now-customized integration element")
        let removed = try await api.send(.PATCH, "/actions/create-task", token: admin, body: ["description": .null])
        #expect(removed.status == 200 && removed.json["description"] == nil)

        // Access: tenants change only their own instances; other tenants do not see them.
        #expect(try await api.send(.PATCH, "/actions/create-task", token: tenant, body: ["name": "mine"]).status == 403)
        #expect(try await api.send(.GET, "/actions/\(instanceID)", token: other).status == 404)
        #expect(try await api.send(.POST, "/actions", token: other, body: ["key": "create-task", "connectionId": .string(connectionID)]).status == 404)

        // Filters.
        let instances = try await api.send(.GET, "/actions?layer=instance", token: admin)
        #expect(instances.json["items"]?.itemCount == 2, "\(instances.json)")
        let hubLayer = try await api.send(.GET, "/actions?layer=integration&integrationKey=hub", token: tenant)
        #expect(hubLayer.json["items"]?.itemCount == 1)
        #expect(try await api.send(.GET, "/actions?layer=sideways", token: admin).status == 400)

        // Archive: the integration element takes its instances with it; the universal one stays.
        let archived = try await api.send(.DELETE, "/actions/hub.create-task", token: admin)
        #expect(archived.status == 200 && archived.json["archivedAt"] != nil, "\(archived.json)")
        #expect(try await api.send(.GET, "/actions/\(instanceID)", token: tenant).status == 404)
        let kept2 = try await api.send(.GET, "/actions/\(instanceID)?includeArchived=true", token: tenant)
        #expect(kept2.status == 200 && kept2.json["archivedAt"] != nil)
        #expect(try await api.send(.GET, "/actions?layer=instance", token: admin).json["items"]?.itemCount == 0)
        #expect(try await api.send(.GET, "/actions/create-task", token: admin).json["archivedAt"] == nil)
        // The key is free again at that layer.
        #expect(try await api.send(.POST, "/actions", token: admin, body: ["key": "create-task", "integrationKey": "hub"]).status == 201)
        _ = try await server.stop()
    }
}

extension JSONValue {
    /// The number of items, when this is an array.
    fileprivate var itemCount: Int? {
        if case .array(let items) = self { return items.count }
        return nil
    }
}
