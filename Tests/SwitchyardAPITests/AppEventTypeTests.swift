import Foundation
import HTTPTypes
import Testing

import SwitchyardAPI
import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore
import SwitchyardTestSupport

/// App event types end to end, on the embedded store and on PostgreSQL: one workspace-wide
/// webhook address per type, the tenant found by the tenant token or the type's
/// `tenantIdFormula`, the payload checked against the type's schema, the tenants' subscriptions
/// kept by their flow instances, and the `/app-events` log linking the runs each event started.
/// Tenants connect to an integration whose connector needs no credentials, so no outside
/// server is needed; the runs are executed by the queued workers' `FlowRunner`.
@Suite("App event types")
struct AppEventTypeTests {
    @Test(
        "One workspace URL launches two tenants' flow instances, each resolved by tenantIdFormula; a tenant token picks its tenant (embedded store)")
    func oneURLTwoTenantsEmbedded() async throws {
        try await AppEventWorld.with(postgres: false) { world, client in try await Self.oneURLTwoTenants(world, client) }
    }

    @Test(
        "One workspace URL launches two tenants' flow instances, each resolved by tenantIdFormula; a tenant token picks its tenant (PostgreSQL)",
        .enabled(if: APIHarness.postgresAvailable, "needs PostgreSQL (scripts/test)"))
    func oneURLTwoTenantsPostgres() async throws {
        try await AppEventWorld.with(postgres: true) { world, client in try await Self.oneURLTwoTenants(world, client) }
    }

    @Test("A wrong secret, an unknown type or workspace, a payload failing the schema, or no tenant: 4xx, logged, and no run (embedded store)")
    func refusedEventsStartNothingEmbedded() async throws {
        try await AppEventWorld.with(postgres: false) { world, client in try await Self.refusedEventsStartNothing(world, client) }
    }

    @Test(
        "A wrong secret, an unknown type or workspace, a payload failing the schema, or no tenant: 4xx, logged, and no run (PostgreSQL)",
        .enabled(if: APIHarness.postgresAvailable, "needs PostgreSQL (scripts/test)"))
    func refusedEventsStartNothingPostgres() async throws {
        try await AppEventWorld.with(postgres: true) { world, client in try await Self.refusedEventsStartNothing(world, client) }
    }

    static func oneURLTwoTenants(_ world: AppEventWorld, _ client: APIClient) async throws {
        let acme = try await world.connect(client, "acme")
        let globex = try await world.connect(client, "globex")
        let path = try world.webhookPath

        // Subscriptions came with the instances: one per tenant, each listing its instance.
        let subscriptions = try await client.send(.get, "/app-event-subscriptions?appEventTypeKey=invoice-paid", token: world.admin)
        #expect(subscriptions.json["items"]?.arrayCount == 2, "\(subscriptions.json)")
        let acmeSubscriptions = try await client.send(.get, "/app-event-subscriptions", token: acme.token)
        #expect(acmeSubscriptions.json["items"]?.arrayCount == 1, "\(acmeSubscriptions.json)")
        let acmeSubscription = try #require(acmeSubscriptions.json["items"]?[0])
        #expect(acmeSubscription["tenantId"] == .string(acme.tenantID) && acmeSubscription["flowInstanceIds"] == [.string(acme.instanceID)])
        #expect(acmeSubscription["appEventTypeId"] == .string(world.typeID), "\(acmeSubscription)")

        // Two events to the one address, no token: each goes to the tenant the formula names.
        let toAcme = try await client.send(.post, path, token: nil, body: ["customerId": "acme", "amount": 5])
        #expect(toAcme.status == 202 && toAcme.json["status"] == "launched" && toAcme.json["tenantId"] == .string(acme.tenantID), "\(toAcme.json)")
        let toGlobex = try await client.send(.post, path, token: nil, body: ["customerId": "globex", "amount": 7])
        #expect(toGlobex.status == 202 && toGlobex.json["tenantId"] == .string(globex.tenantID), "\(toGlobex.json)")
        let acmeRunID = try #require(toAcme.json["flowRunIds"]?[0]?.stringValue)
        let globexRunID = try #require(toGlobex.json["flowRunIds"]?[0]?.stringValue)
        #expect(toAcme.json["flowRunIds"]?.arrayCount == 1 && toGlobex.json["flowRunIds"]?.arrayCount == 1)

        let acmeRun = try await world.drain(acmeRunID)
        #expect(acmeRun["status"] == "completed" && acmeRun["connectionId"] == .string(acme.connectionID), "\(acmeRun)")
        #expect(acmeRun["output"] == ["amount": 5, "customer": "acme"], "\(acmeRun)")
        let globexRun = try await world.drain(globexRunID)
        #expect(globexRun["status"] == "completed" && globexRun["connectionId"] == .string(globex.connectionID), "\(globexRun)")
        #expect(globexRun["output"] == ["amount": 7, "customer": "globex"], "\(globexRun)")
        #expect(try await client.send(.get, "/flow-runs/\(globexRunID)", token: acme.token).status == 404, "acme does not see globex's run")

        // The log links each event to its run; tenants see only their own events.
        let log = try await client.send(.get, "/app-events?appEventTypeKey=invoice-paid", token: world.admin)
        let events = try #require(log.json["items"]?.arrayValue)
        #expect(events.count == 2, "\(log.json)")
        #expect(events.map { $0["flowRunIds"] } == [[.string(acmeRunID)], [.string(globexRunID)]], "\(log.json)")
        #expect(events.map { $0["payload"]?["customerId"] } == ["acme", "globex"] && events.allSatisfy { $0["receivedAt"]?.stringValue != nil })
        let byCustomer = try await client.send(.get, "/app-events?customerId=globex", token: world.admin)
        #expect(byCustomer.json["items"]?.arrayCount == 1 && byCustomer.json["items"]?[0]?["id"] == toGlobex.json["id"], "\(byCustomer.json)")
        let acmeLog = try await client.send(.get, "/app-events", token: acme.token)
        #expect(acmeLog.json["items"]?.arrayCount == 1 && acmeLog.json["items"]?[0]?["id"] == toAcme.json["id"], "\(acmeLog.json)")
        let globexEventID = try #require(toGlobex.json["id"]?.stringValue)
        #expect(try await client.send(.get, "/app-events/\(globexEventID)", token: acme.token).status == 404, "acme cannot read globex's event")
        let shown = try await client.send(.get, "/app-events/\(globexEventID)", token: globex.token)
        #expect(shown.status == 200 && shown.json["flowRunIds"] == [.string(globexRunID)], "\(shown.json)")

        // A tenant token on the URL picks the tenant, whatever the payload says.
        let byToken = try await client.send(.post, path, token: acme.token, body: ["customerId": "globex", "amount": 9])
        #expect(byToken.status == 202 && byToken.json["tenantId"] == .string(acme.tenantID), "\(byToken.json)")
        let tokenRun = try await world.drain(try #require(byToken.json["flowRunIds"]?[0]?.stringValue))
        #expect(tokenRun["connectionId"] == .string(acme.connectionID) && tokenRun["output"] == ["amount": 9, "customer": "globex"], "\(tokenRun)")

        // A flow's own address logs its events too, with the flow's id; a refused one as well.
        let flowID = try #require(try await client.send(.get, "/flows/on-invoice?integrationKey=desk", token: world.admin).json["id"]?.stringValue)
        let direct = try await client.send(.post, "/webhooks/app-events/\(flowID)", token: globex.token, body: ["amount": 2])
        #expect(direct.status == 202 && direct.json["flowRunIds"]?.arrayCount == 1, "\(direct.json)")
        let directID = try #require(direct.json["appEventId"]?.stringValue, "\(direct.json)")
        let directEvent = try await client.send(.get, "/app-events/\(directID)", token: globex.token)
        #expect(directEvent.json["flowId"] == .string(flowID) && directEvent.json["status"] == "launched", "\(directEvent.json)")
        #expect(directEvent.json["flowRunIds"] == direct.json["flowRunIds"] && directEvent.json["tenantId"] == .string(globex.tenantID))
        _ = try await world.drain(try #require(direct.json["flowRunIds"]?[0]?.stringValue))
        let noTenant = try await client.send(.post, "/webhooks/app-events/\(flowID)", token: world.admin, body: ["amount": 2])
        #expect(noTenant.status == 400 && noTenant.json["data"]?["tenant"] != nil, "\(noTenant.json)")
        let rejected = try await client.send(.get, "/app-events?status=rejected", token: world.admin)
        #expect(rejected.json["items"]?.arrayCount == 1 && rejected.json["items"]?[0]?["flowId"] == .string(flowID), "\(rejected.json)")

        // A disabled instance does not listen: its subscription goes, and the event starts nothing.
        let disabled = try await client.send(.patch, "/flow-instances/\(globex.instanceID)", token: globex.token, body: ["enabled": false])
        #expect(disabled.status == 200, "\(disabled.json)")
        #expect(try await client.send(.get, "/app-event-subscriptions", token: globex.token).json["items"]?.arrayCount == 0)
        let ignored = try await client.send(.post, path, token: nil, body: ["customerId": "globex", "amount": 1])
        #expect(ignored.status == 202 && ignored.json["status"] == "ignored" && ignored.json["flowRunIds"] == [], "\(ignored.json)")
        #expect(ignored.json["reason"]?.stringValue?.contains("no enabled flow instance") == true, "\(ignored.json)")
        #expect(try await world.runCount(client) == 4, "no run beyond the four launched")
    }

    static func refusedEventsStartNothing(_ world: AppEventWorld, _ client: APIClient) async throws {
        let acme = try await world.connect(client, "acme")
        let path = try world.webhookPath
        let parts = path.split(separator: "/").map(String.init)  // webhooks, app-event-types, workspace, type, secret
        let base = "/\(parts[0])/\(parts[1])"

        let event: JSONValue = ["customerId": "acme", "amount": 5]
        let wrongSecret = try await client.send(.post, "\(base)/\(parts[2])/\(parts[3])/not-the-secret", token: nil, body: event)
        #expect(wrongSecret.status == 404 && wrongSecret.json["key"] == "not_found", "\(wrongSecret.json)")
        let unknownType = try await client.send(.post, "\(base)/\(parts[2])/no-such-type/\(parts[4])", token: nil, body: event)
        #expect(unknownType.status == 404, "\(unknownType.json)")
        let unknownWorkspace = try await client.send(.post, "\(base)/nowhere/\(parts[3])/\(parts[4])", token: nil, body: event)
        #expect(unknownWorkspace.status == 404, "\(unknownWorkspace.json)")
        // With a tenant token too, the address must be right.
        let wrongWithToken = try await client.send(.post, "\(base)/\(parts[2])/\(parts[3])/not-the-secret", token: acme.token, body: ["amount": 5])
        #expect(wrongWithToken.status == 404, "\(wrongWithToken.json)")
        let badToken = try await client.send(.post, path, token: "not-a-token", body: ["customerId": "acme", "amount": 5])
        #expect(badToken.status == 401, "\(badToken.json)")
        #expect(try await world.eventCount(client) == 0, "an unknown address stores nothing")

        // The address is right from here on: refused events are logged in /app-events.
        let schema = try await client.send(.post, path, token: nil, body: ["customerId": "acme", "amount": "lots"])
        #expect(schema.status == 400 && schema.json["data"]?["amount"] != nil, "the schema failure names the field: \(schema.json)")
        let notObject = try await client.send(.post, path, token: nil, body: [1, 2])
        #expect(notObject.status == 400, "\(notObject.json)")
        let noTenant = try await client.send(.post, path, token: nil, body: ["amount": 5])
        #expect(noTenant.status == 400 && noTenant.json["data"]?["tenant"] == "cannot be resolved", "\(noTenant.json)")
        let unknownTenant = try await client.send(.post, path, token: nil, body: ["customerId": "initech", "amount": 5])
        #expect(unknownTenant.status == 400 && unknownTenant.json["data"]?["tenant"] == "no such tenant", "\(unknownTenant.json)")
        #expect(try await world.runCount(client) == 0, "no refused event started a run")

        let log = try await client.send(.get, "/app-events?status=rejected", token: world.admin)
        #expect(log.json["items"]?.arrayCount == 4, "\(log.json)")
        let acmeLog = try await client.send(.get, "/app-events", token: acme.token)
        #expect(acmeLog.json["items"]?.arrayCount == 1 && acmeLog.json["items"]?[0]?["error"]?["data"]?["amount"] != nil, "\(acmeLog.json)")
        let unowned = try #require(log.json["items"]?.arrayValue?.first { $0["tenantId"] == .null }?["id"]?.stringValue)
        #expect(try await client.send(.get, "/app-events/\(unowned)", token: acme.token).status == 404, "an event with no tenant is for admins only")

        // Rotating the secret retires the old address at once.
        let rotated = try await client.send(.post, "/app-event-types/invoice-paid/rotate-secret", token: world.admin)
        let newURI = try #require(rotated.json["webhookUri"]?.stringValue)
        #expect(rotated.status == 200 && newURI != path, "\(rotated.json)")
        #expect(try await client.send(.post, path, token: nil, body: ["customerId": "acme", "amount": 5]).status == 404)
        let fresh = try await client.send(.post, newURI, token: nil, body: ["customerId": "acme", "amount": 5])
        #expect(fresh.status == 202 && fresh.json["flowRunIds"]?.arrayCount == 1, "\(fresh.json)")

        // An archived type's address is gone.
        _ = try await client.send(.delete, "/app-event-types/invoice-paid", token: world.admin)
        #expect(try await client.send(.post, newURI, token: nil, body: ["customerId": "acme", "amount": 5]).status == 404)
        #expect(try await world.runCount(client) == 1)

        // A type made again with the key keeps its listeners; the subscription follows the new type.
        let again = try await client.send(.post, "/app-event-types", token: world.admin, body: ["key": "invoice-paid", "name": "Invoice paid"])
        let againURI = try #require(again.json["webhookUri"]?.stringValue, "\(again.json)")
        let relaunched = try await client.send(.post, againURI, token: acme.token, body: ["amount": 3])
        #expect(relaunched.status == 202 && relaunched.json["flowRunIds"]?.arrayCount == 1, "\(relaunched.json)")
        let subscription = try await client.send(.get, "/app-event-subscriptions", token: acme.token)
        #expect(subscription.json["items"]?[0]?["appEventTypeId"] == again.json["id"], "\(subscription.json)")
        #expect(try await world.runCount(client) == 2)
    }

    @Test(
        "Types are admin-written and checked (a bad schema, formula or key is refused, naming it); tenants read them without the webhook address")
    func typeDefinitionsAreChecked() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            let tenant = try await harness.tenantToken("acme")
            let badSchema = try await client.send(
                .post, "/app-event-types", token: admin, body: ["key": "a", "name": "A", "schema": ["type": "nonsense"]])
            #expect(badSchema.status == 400 && badSchema.json["data"]?["schema"] != nil, "\(badSchema.json)")
            let badFormula = try await client.send(
                .post, "/app-event-types", token: admin, body: ["key": "a", "name": "A", "tenantIdFormula": ["$nope": 1]])
            #expect(badFormula.status == 400 && badFormula.json["data"]?["tenantIdFormula"] != nil, "\(badFormula.json)")
            let badKey = try await client.send(.post, "/app-event-types", token: admin, body: ["key": "a/b", "name": "A"])
            #expect(badKey.status == 400 && badKey.json["data"]?["key"] != nil, "\(badKey.json)")
            let byTenant = try await client.send(.post, "/app-event-types", token: tenant, body: ["key": "a", "name": "A"])
            #expect(byTenant.status == 403, "\(byTenant.json)")

            let created = try await client.send(.post, "/app-event-types", token: admin, body: ["key": "signup", "name": "Signup"])
            let uri = created.json["webhookUri"]?.stringValue
            #expect(created.status == 201 && uri?.contains("/webhooks/app-event-types/") == true, "\(created.json)")
            #expect(try await client.send(.post, "/app-event-types", token: admin, body: ["key": "signup", "name": "Again"]).status == 409)
            let read = try await client.send(.get, "/app-event-types/signup", token: tenant)
            #expect(read.status == 200 && read.json["name"] == "Signup" && read.json["webhookUri"] == nil, "\(read.json)")
            let listed = try await client.send(.get, "/app-event-types", token: tenant)
            #expect(listed.json["items"]?.arrayCount == 1 && listed.json["items"]?[0]?["webhookUri"] == nil, "\(listed.json)")
            #expect(try await client.send(.patch, "/app-event-types/signup", token: tenant, body: ["name": "Mine"]).status == 403)
            let changed = try await client.send(
                .patch, "/app-event-types/signup", token: admin, body: ["name": "Sign-up", "schema": ["type": "object"]])
            #expect(changed.status == 200 && changed.json["name"] == "Sign-up" && changed.json["schema"] == ["type": "object"], "\(changed.json)")
            #expect(try await client.send(.patch, "/app-event-types/signup", token: admin).status == 400, "a change needs a body")
            let nullSchema = try await client.send(.post, "/app-event-types", token: admin, body: ["key": "b", "name": "B", "schema": nil])
            #expect(nullSchema.status == 400 && nullSchema.json["data"]?["schema"] != nil, "\(nullSchema.json)")
            let cleared = try await client.send(.patch, "/app-event-types/signup", token: admin, body: ["schema": nil])
            #expect(cleared.status == 200 && cleared.json["schema"] == nil, "\(cleared.json)")

            // A flow's trigger names the type by key.
            let flow = try await client.send(.post, "/flows", token: admin, body: [
                "key": "f", "name": "F", "nodes": ["start": ["type": "app-event-trigger", "config": ["appEventTypeKey": 5]]],
            ])
            #expect(flow.status == 400 && flow.json["data"]?["nodes.start.config.appEventTypeKey"] != nil, "\(flow.json)")
        }
    }
}
