import Foundation
import HTTPTypes
import Testing

import SwitchyardAPI
import SwitchyardCore
import SwitchyardStore

/// For every route: a tenant token cannot read, list, change or delete another tenant's
/// objects (404, so ids do not leak), and cannot reach admin-only routes (403). The test walks
/// the route table: a route without a case here fails it.
@Suite("Tenant isolation, route by route")
struct TenantIsolationTests {
    /// What tenant A gets when it aims a route at tenant B's objects.
    enum Expectation {
        /// Admin-only: 403 `access_denied`.
        case adminOnly
        /// 404 `not_found`.
        case notFound
        /// 200, and the check passes on the body (nothing of B's in it).
        case succeeds(@Sendable (JSONValue, World) -> Bool)
        /// 400 `bad_request`: the route validates the body before anything else (the generic
        /// body the walk sends is not one it takes), so nothing is read or written.
        case refusedBody
    }

    /// The objects the cases aim at.
    struct World: Sendable {
        var customerB: String
        var integration: String
        var connector: String
        var connectionB: String
        var jobB: String
        var logB: String
        var requestB: String
        var actionLogB: String
        var flowRunB: String
        var pullB: String
        var eventB: String
        var dataLinkB: String
        /// Tenant B's instance of an element, per element path.
        var elementsB: [String: String]
        /// An app event type (shared), B's event and subscription.
        var appEvents: (type: String, eventB: String, subscriptionB: String) = ("", "", "")
    }

    /// The element collections (the generic element API).
    static let elementPaths = ["/actions", "/flows", "/data-sources", "/app-data-schemas", "/field-mappings", "/data-link-tables"]

    /// For each element collection: tenant A lists only what it may see, cannot create shared
    /// elements, and finds none of B's instances.
    static let elementCases: [String: Expectation] = Dictionary(uniqueKeysWithValues: elementPaths.flatMap { path -> [(String, Expectation)] in
        [
            ("GET \(path)", .succeeds { body, world in
                guard case .array(let items)? = body["items"] else { return false }
                return items.count == 1 && items.allSatisfy { $0["connectionId"] == nil && $0["id"] != .string(world.elementsB[path] ?? "") }
            }),
            ("POST \(path)", .adminOnly),
        ] + ["GET", "PATCH", "PUT", "DELETE"].map { ("\($0) \(path)/{selector}", .notFound) } + [("POST \(path)/{selector}/reset", .notFound)]
    })

    /// App event types are shared and admin-written (tenants read them without the webhook
    /// address); events and subscriptions are tenant B's, and a refused event without a tenant
    /// is the workspace's.
    static let appEventCases: [String: Expectation] = [
        "GET /app-event-types": .succeeds { body, _ in body["items"]?.arrayCount == 1 && body["items"]?[0]?["webhookUri"] == nil },
        "GET /app-event-types/{selector}": .succeeds { body, world in body["id"] == .string(world.appEvents.type) && body["webhookUri"] == nil },
        "POST /app-event-types": .adminOnly, "PATCH /app-event-types/{selector}": .adminOnly, "DELETE /app-event-types/{selector}": .adminOnly,
        "POST /app-event-types/{selector}/rotate-secret": .adminOnly,
        "GET /app-events": .succeeds { body, _ in body["items"]?.arrayCount == 0 }, "GET /app-events/{id}": .notFound,
        "GET /app-event-subscriptions": .succeeds { body, _ in body["items"]?.arrayCount == 0 }, "GET /app-event-subscriptions/{id}": .notFound,
    ]

    static let cases: [String: Expectation] = [
        "GET /self": .succeeds { body, _ in body["customer"]?["internalId"] == "tenant-a" },
        "GET /customers": .adminOnly, "POST /customers": .adminOnly, "GET /customers/{id}": .adminOnly,
        "PATCH /customers/{id}": .adminOnly, "DELETE /customers/{id}": .adminOnly,
        "GET /tenants": .adminOnly, "POST /tenants": .adminOnly, "GET /tenants/{id}": .adminOnly,
        "PATCH /tenants/{id}": .adminOnly, "DELETE /tenants/{id}": .adminOnly,
        "GET /integrations": .succeeds { body, _ in body["items"]?.arrayCount == 1 && body["items"]?[0]?["connection"] == nil },
        "POST /integrations": .adminOnly,
        "GET /integrations/{selector}": .succeeds { body, world in body["id"] == .string(world.integration) && body["connection"] == nil },
        "PATCH /integrations/{selector}": .adminOnly, "DELETE /integrations/{selector}": .adminOnly,
        "GET /connectors": .succeeds { body, _ in body["items"]?.arrayCount == 1 },
        "POST /connectors": .adminOnly,
        "POST /connectors/{id}/upload": .adminOnly, "POST /connectors/{id}/publish-version": .adminOnly,
        "GET /connectors/{id}/versions": .adminOnly, "GET /connectors/{id}/download": .adminOnly,
        "GET /connectors/{id}": .succeeds { body, world in body["id"] == .string(world.connector) },
        "GET /connections": .succeeds { body, _ in body["items"]?.arrayCount == 0 },
        "GET /connections/{id}": .notFound, "DELETE /connections/{id}": .notFound, "POST /connections/{id}/refresh-credentials": .notFound,
        "POST /connections/{id}/test": .notFound, "POST /connections/{id}/disconnect": .notFound, "POST /connections/{id}/operations/{key}/run": .notFound,
        "POST /connection-requests": .refusedBody, "GET /connection-requests/{id}": .notFound,
        "POST /actions/{selector}/run": .refusedBody, "GET /action-run-logs": .succeeds { body, _ in body["items"]?.arrayCount == 0 },
        "GET /action-run-logs/{id}": .notFound,
        "POST /flows/{selector}/run": .refusedBody, "GET /flow-runs": .succeeds { body, _ in body["items"]?.arrayCount == 0 },
        "GET /flow-runs/{id}": .notFound, "POST /flow-runs/{id}/stop": .notFound,
        "GET /flow-instances": .succeeds { body, _ in body["items"]?.arrayCount == 0 }, "POST /flow-instances": .refusedBody,
        "GET /flow-instances/{id}": .notFound, "PATCH /flow-instances/{id}": .refusedBody, "POST /flow-instances/{id}/run": .refusedBody,
        "POST /webhooks/app-events/{flowId}": .notFound, "POST /connections/{id}/events": .refusedBody,
        "GET /webhook-settings": .adminOnly, "PUT /webhook-settings": .adminOnly, "DELETE /webhook-settings": .adminOnly,
        "GET /webhook-deliveries": .adminOnly, "GET /webhook-deliveries/{id}": .adminOnly, "POST /webhook-deliveries/{id}/replay": .adminOnly,
        "GET /background-jobs/{id}": .notFound, "GET /background-jobs": .adminOnly, "GET /background-jobs/queues": .adminOnly,
        "POST /background-jobs/{id}/retry": .adminOnly, "POST /background-jobs/{id}/cancel": .adminOnly,
        "POST /flow-runs/{id}/retry": .adminOnly, "GET /status": .adminOnly,
        "GET /workspace": .adminOnly, "POST /workspace/reveal-secret": .adminOnly, "POST /workspace/rotate-secret": .adminOnly,
        "PATCH /workspace": .adminOnly, "PUT /workspace/public-key": .adminOnly, "DELETE /workspace/public-key": .adminOnly,
        "GET /workspace/limits": .adminOnly, "PUT /workspace/limits": .adminOnly,
        "GET /customers/{id}/limits": .adminOnly, "PUT /customers/{id}/limits": .adminOnly,
        "GET /platform-users": .adminOnly, "POST /platform-users": .adminOnly, "GET /platform-users/{id}": .adminOnly,
        "PATCH /platform-users/{id}": .adminOnly, "DELETE /platform-users/{id}": .adminOnly,
        "GET /external-api-logs": .succeeds { body, _ in body["items"]?.arrayCount == 0 }, "GET /external-api-logs/{id}": .notFound,
        "GET /connections/{id}/data/{collection}": .notFound, "POST /connections/{id}/data/{collection}": .refusedBody,
        "GET /connections/{id}/data/{collection}/{recordId}": .notFound, "PATCH /connections/{id}/data/{collection}/{recordId}": .refusedBody,
        "DELETE /connections/{id}/data/{collection}/{recordId}": .notFound,
        "GET /data-source-instances": .succeeds { body, _ in body["items"]?.arrayCount == 0 }, "POST /data-source-instances": .refusedBody,
        "GET /data-source-instances/{id}": .notFound, "PATCH /data-source-instances/{id}": .refusedBody,
        "DELETE /data-source-instances/{id}": .notFound, "POST /data-source-instances/{id}/pull": .refusedBody,
        "GET /external-event-pulls": .succeeds { body, _ in body["items"]?.arrayCount == 0 }, "GET /external-event-pulls/{id}": .notFound,
        "GET /external-events": .succeeds { body, _ in body["items"]?.arrayCount == 0 }, "GET /external-events/{id}": .notFound,
        "GET /field-mapping-instances": .succeeds { body, _ in body["items"]?.arrayCount == 0 }, "POST /field-mapping-instances": .refusedBody,
        "GET /field-mapping-instances/{id}": .notFound, "PATCH /field-mapping-instances/{id}": .refusedBody,
        "GET /data-links": .succeeds { body, _ in body["items"]?.arrayCount == 0 }, "POST /data-links": .refusedBody,
        "GET /data-links/{id}": .notFound, "DELETE /data-links/{id}": .notFound,
    ].merging(elementCases) { $1 }.merging(appEventCases) { $1 }

    @Test("Every route has an isolation case, and tenant A never reaches tenant B's objects or admin routes")
    func everyRouteIsIsolated() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        let operations = harness.routes.all.map { "\($0.method.rawValue) \($0.path)" }
        let missing = operations.filter { Self.cases[$0] == nil }
        #expect(missing.isEmpty, "routes without an isolation case: \(missing)")
        #expect(Set(Self.cases.keys).subtracting(operations).isEmpty, "cases for routes that do not exist: \(Set(Self.cases.keys).subtracting(operations))")
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            let tokenA = try await harness.tenantToken("tenant-a")
            let tokenB = try await harness.tenantToken("tenant-b")
            let world = try await Self.build(harness, client: client, admin: admin, tokenB: tokenB)
            for route in harness.routes.all {
                let operation = "\(route.method.rawValue) \(route.path)"
                guard let expectation = Self.cases[operation] else { continue }
                var path = route.path
                for (elements, id) in world.elementsB { path = path.replacingOccurrences(of: "\(elements)/{selector}", with: "\(elements)/\(id)") }
                for (pattern, replacement) in [
                    ("/app-event-types/{selector}", "/app-event-types/\(world.appEvents.type)"),
                    ("/app-events/{id}", "/app-events/\(world.appEvents.eventB)"),
                    ("/app-event-subscriptions/{id}", "/app-event-subscriptions/\(world.appEvents.subscriptionB)"),
                ] { path = path.replacingOccurrences(of: pattern, with: replacement) }
                path = path
                    .replacingOccurrences(of: "/customers/{id}", with: "/customers/\(world.customerB)")
                    .replacingOccurrences(of: "/tenants/{id}", with: "/tenants/\(world.customerB)")
                    .replacingOccurrences(of: "{selector}", with: world.integration)
                    .replacingOccurrences(of: "/connectors/{id}", with: "/connectors/\(world.connector)")
                    .replacingOccurrences(of: "/connections/{id}", with: "/connections/\(world.connectionB)")
                    .replacingOccurrences(of: "/background-jobs/{id}", with: "/background-jobs/\(world.jobB)")
                    .replacingOccurrences(of: "/external-api-logs/{id}", with: "/external-api-logs/\(world.logB)")
                    .replacingOccurrences(of: "/connection-requests/{id}", with: "/connection-requests/\(world.requestB)")
                    .replacingOccurrences(of: "/action-run-logs/{id}", with: "/action-run-logs/\(world.actionLogB)")
                    .replacingOccurrences(of: "/flow-runs/{id}", with: "/flow-runs/\(world.flowRunB)")
                    .replacingOccurrences(of: "/flow-instances/{id}", with: "/flow-instances/\(world.elementsB["/flows"] ?? "")")
                    .replacingOccurrences(
                        of: "/field-mapping-instances/{id}", with: "/field-mapping-instances/\(world.elementsB["/field-mappings"] ?? "")")
                    .replacingOccurrences(of: "/data-links/{id}", with: "/data-links/\(world.dataLinkB)")
                    .replacingOccurrences(of: "{flowId}", with: world.elementsB["/flows"] ?? "")
                    .replacingOccurrences(of: "/operations/{key}", with: "/operations/list-things")
                path = path
                    .replacingOccurrences(of: "/data/{collection}", with: "/data/contacts")
                    .replacingOccurrences(of: "{recordId}", with: "1")
                    .replacingOccurrences(of: "/data-source-instances/{id}", with: "/data-source-instances/\(world.elementsB["/data-sources"] ?? "")")
                    .replacingOccurrences(of: "/external-event-pulls/{id}", with: "/external-event-pulls/\(world.pullB)")
                    .replacingOccurrences(of: "/external-events/{id}", with: "/external-events/\(world.eventB)")
                let body: JSONValue? = route.requestSchema == nil ? nil : ["name": "changed by tenant a", "key": "from-a", "internalId": "tenant-b"]
                let answer = try await client.send(route.method, path, token: tokenA, body: body)
                switch expectation {
                case .adminOnly:
                    #expect(answer.status == 403 && answer.json["key"] == "access_denied", "\(operation): \(answer.status) \(answer.json)")
                case .notFound:
                    #expect(answer.status == 404 && answer.json["key"] == "not_found", "\(operation): \(answer.status) \(answer.json)")
                case .succeeds(let check):
                    #expect(answer.status == 200 && check(answer.json, world), "\(operation): \(answer.status) \(answer.json)")
                case .refusedBody:
                    #expect(answer.status == 400 && answer.json["key"] == "bad_request", "\(operation): \(answer.status) \(answer.json)")
                }
            }
            // Tenant B's objects are untouched and still visible to B.
            let connection = try await client.send(.get, "/connections/\(world.connectionB)", token: tokenB)
            #expect(connection.status == 200 && connection.json["archivedAt"] == nil)
            let job = try await client.send(.get, "/background-jobs/\(world.jobB)", token: tokenB)
            #expect(job.status == 200 && job.json["status"] == "pending")
            let integration = try await client.send(.get, "/integrations/hub", token: tokenB)
            #expect(integration.json["connection"]?["id"] == .string(world.connectionB))
            let customer = try await client.send(.get, "/customers/tenant-b", token: admin)
            #expect(customer.json["name"] == "tenant-b")
            let link = try await client.send(.get, "/data-links/\(world.dataLinkB)", token: tokenB)
            #expect(link.status == 200 && link.json["appRecordId"] == "app-b", "\(link.json)")
            for (elements, id) in world.elementsB {
                let element = try await client.send(.get, "\(elements)/\(id)", token: tokenB)
                #expect(element.status == 200 && element.json["archivedAt"] == nil && element.json["name"] == "Sync" && element.json["isCustomized"] == false, "\(element.json)")
            }
        }
    }

    @Test("Another workspace's admin sees none of this workspace's objects")
    func workspacesAreIsolated() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        let other = Workspace(key: "other-workspace", name: "Other", secret: Workspace.newSecret())
        _ = try await harness.store.records.insert(NewRecord(kind: .workspaces, id: other.key, key: other.key, document: ["name": "Other"], secret: ["secret": .string(other.secret)]), scope: .workspace(other.key))
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            let tokenB = try await harness.tenantToken("tenant-b")
            let world = try await Self.build(harness, client: client, admin: admin, tokenB: tokenB)
            let otherAdmin = try await APIHarness.sign(["iss": .string(other.key), "isAdmin": true, "exp": .number(Date().timeIntervalSince1970 + 600)], secret: other.secret)
            for path in ["/customers/\(world.customerB)", "/integrations/\(world.integration)", "/connectors/\(world.connector)", "/connections/\(world.connectionB)", "/background-jobs/\(world.jobB)"] {
                let answer = try await client.send(.get, path, token: otherAdmin)
                #expect(answer.status == 404, "\(path): \(answer.status)")
            }
            #expect(try await client.send(.get, "/customers", token: otherAdmin).json["items"]?.arrayCount == 0)
            #expect(try await client.send(.get, "/connections", token: otherAdmin).json["items"]?.arrayCount == 0)
        }
    }

    /// An integration and connector (shared), and tenant B with a connection and a job.
    static func build(_ harness: APIHarness, client: APIClient, admin: String, tokenB: String) async throws -> World {
        let integration = try await client.send(.post, "/integrations", token: admin, body: ["key": "hub", "name": "Hub"])
        #expect(integration.status == 201, "\(integration.json)")
        let connector = try await client.send(.post, "/connectors", token: admin, body: ["key": "crm", "name": "CRM", "authType": "oauth2"])
        #expect(connector.status == 201, "\(connector.json)")
        let selfB = try await client.send(.get, "/self", token: tokenB)
        let customerB = try #require(selfB.json["customer"]?["id"]?.stringValue)
        let integrationID = try #require(integration.json["id"]?.stringValue)
        let connection = try await harness.store.records.insert(
            NewRecord(kind: .connections, tenantID: customerB, parentID: integrationID, document: ["name": "B's hub"], secret: ["accessToken": "secret-b"]),
            scope: .tenant(customerB, in: harness.workspace.key)
        )
        let log = try await harness.store.records.insert(
            NewRecord(kind: .externalAPILogs, tenantID: customerB, parentID: connection.id, document: ["method": "GET", "url": "https://api.example/b"]),
            scope: .tenant(customerB, in: harness.workspace.key)
        )
        let request = try await harness.store.records.insert(
            NewRecord(kind: .connectionRequests, tenantID: customerB, parentID: integrationID, document: ["status": "created", "integrationId": .string(integrationID)]),
            scope: .tenant(customerB, in: harness.workspace.key)
        )
        let actionLog = try await harness.store.records.insert(
            NewRecord(kind: .actionRunLogs, tenantID: customerB, parentID: "some-action", document: ["status": "success", "connectionId": .string(connection.id)]),
            scope: .tenant(customerB, in: harness.workspace.key)
        )
        let job = try await harness.store.jobs.enqueue(
            [NewJob(kind: "export", queue: .queued, workspaceID: harness.workspace.key, tenantID: customerB)], limits: nil
        )[0].id
        var elements: [String: String] = [:]
        for path in elementPaths {
            let universal = try await client.send(.post, path, token: admin, body: ["key": "sync", "name": "Sync"])
            #expect(universal.status == 201, "\(universal.json)")
            let instance = try await client.send(.post, path, token: tokenB, body: ["key": "sync", "connectionId": .string(connection.id)])
            #expect(instance.status == 201, "\(instance.json)")
            elements[path] = try #require(instance.json["id"]?.stringValue)
        }
        let flowRun = try await harness.store.records.insert(
            NewRecord(kind: .flowRuns, tenantID: customerB, parentID: elements["/flows"], document: ["status": "queued", "connectionId": .string(connection.id)]),
            scope: .tenant(customerB, in: harness.workspace.key)
        )
        let pull = try await harness.store.records.insert(
            NewRecord(
                kind: .externalEventPulls, tenantID: customerB, parentID: elements["/data-sources"],
                document: ["dataSourceInstanceId": .string(elements["/data-sources"] ?? ""), "mode": "full", "status": "completed"]),
            scope: .tenant(customerB, in: harness.workspace.key)
        )
        let event = try await harness.store.records.insert(
            NewRecord(kind: .externalEvents, tenantID: customerB, document: ["type": "data-record-created", "connectionId": .string(connection.id)]),
            scope: .tenant(customerB, in: harness.workspace.key)
        )
        let dataLink = try await client.send(
            .post, "/data-links", token: tokenB,
            body: ["connectionId": .string(connection.id), "dataLinkTableKey": "sync", "appRecordId": "app-b", "externalRecordId": "ext-b"])
        #expect(dataLink.status == 201, "\(dataLink.json)")
        let appEvents = try await appEventsOfB(harness, client: client, admin: admin, customerB: customerB)
        var world = World(
            customerB: customerB, integration: integrationID, connector: try #require(connector.json["id"]?.stringValue), connectionB: connection.id,
            jobB: String(job), logB: log.id, requestB: request.id, actionLogB: actionLog.id, flowRunB: flowRun.id, pullB: pull.id,
            eventB: event.id, dataLinkB: try #require(dataLink.json["id"]?.stringValue), elementsB: elements
        )
        world.appEvents = appEvents
        return world
    }

    /// An app event type, tenant B's event of it and subscription to it, and a refused event
    /// that belongs to no tenant.
    static func appEventsOfB(
        _ harness: APIHarness, client: APIClient, admin: String, customerB: String
    ) async throws -> (type: String, eventB: String, subscriptionB: String) {
        let type = try await client.send(.post, "/app-event-types", token: admin, body: ["key": "signup", "name": "Signup"])
        #expect(type.status == 201, "\(type.json)")
        let typeID = try #require(type.json["id"]?.stringValue)
        let scopeB = StoreScope.tenant(customerB, in: harness.workspace.key)
        let event = try await harness.store.records.insert(
            NewRecord(kind: .appEvents, tenantID: customerB, parentID: typeID, document: ["appEventTypeKey": "signup", "status": "ignored"]),
            scope: scopeB)
        _ = try await harness.store.records.insert(
            NewRecord(kind: .appEvents, parentID: typeID, document: ["appEventTypeKey": "signup", "status": "rejected"]),
            scope: .workspace(harness.workspace.key))
        let subscription = try await harness.store.records.insert(
            NewRecord(kind: .appEventSubscriptions, tenantID: customerB, key: "signup", parentID: typeID, document: ["appEventTypeKey": "signup"]),
            scope: scopeB)
        return (typeID, event.id, subscription.id)
    }
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }
}
