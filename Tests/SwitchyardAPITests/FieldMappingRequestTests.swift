import Foundation
import HTTPTypes
import SwitchyardAPI
import SwitchyardCore
import SwitchyardStore
import Testing

/// The field mapping, app data schema and data link routes on the embedded store: bad input gets
/// a 400 naming what is wrong, and tenant A's well-formed requests aimed at tenant B's instances,
/// connection and links find nothing (the isolation walk sends bodies these routes refuse first).
@Suite struct FieldMappingRequestTests {
    @Test("Bad input is refused naming the field: an unknown app data schema, an invalid formula or schema, frozen fields that are not names")
    func badInput() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            func post(_ path: String, _ body: JSONValue) async throws -> APIClient.Answer {
                try await client.send(.post, path, token: admin, body: body)
            }
            let unknown = try await post("/field-mappings", ["key": "m", "name": "M", "appDataSchemaKey": "missing"])
            #expect(unknown.status == 400 && unknown.json["data"]?["appDataSchemaKey"] != nil, "\(unknown.json)")
            let formula = try await post("/field-mappings", ["key": "m", "name": "M", "importValue": ["a": ["$concat": ["x", ["$nope": 1]]]]])
            #expect(formula.status == 400 && formula.json["data"]?["importValue"] != nil, "\(formula.json)")
            #expect(formula.json["message"]?.stringValue?.contains("importValue.a.$concat[1].$nope") == true, "\(formula.json)")
            let shape = try await post("/field-mappings", ["key": "m", "name": "M", "exportValue": ["a": ["$var": "$.appRecord.a", "extra": 1]]])
            #expect(shape.status == 201, "an object with two keys is a plain object, not a formula: \(shape.json)")
            let lookup = try await post("/field-mappings", ["key": "m2", "name": "M", "exportValue": ["a": ["$lookup": ["query": ["email": "x"]]]]])
            #expect(lookup.status == 400 && lookup.json["message"]?.stringValue?.contains("unknown field") == true, "\(lookup.json)")
            let frozen = try await post("/field-mappings", ["key": "m3", "name": "M", "frozenImportFields": [1]])
            #expect(frozen.status == 400 && frozen.json["data"]?["frozenImportFields"] != nil, "\(frozen.json)")
            let schema = try await post("/app-data-schemas", ["key": "s", "name": "S", "schema": ["type": "nonsense"]])
            #expect(schema.status == 400 && schema.json["data"]?["schema"] != nil, "\(schema.json)")
            #expect(try await post("/app-data-schemas", ["key": "s", "name": "S", "schema": ["type": "object"]]).status == 201)
            let known = try await post("/field-mappings", ["key": "m4", "name": "M", "appDataSchemaKey": "s"])
            #expect(known.status == 201, "\(known.json)")
            let changed = try await client.send(.patch, "/field-mappings/m4", token: admin, body: ["appDataSchemaKey": "gone"])
            #expect(changed.status == 400 && changed.json["data"]?["appDataSchemaKey"] != nil, "\(changed.json)")
            let link = try await post("/data-links", ["connectionId": "c", "dataLinkTableKey": "t", "appRecordId": "a"])
            #expect(link.status == 400 && link.json["data"]?["externalRecordId"] == "is required", "\(link.json)")
        }
    }

    @Test("Tenant A's well-formed requests at tenant B's field mapping instance, connection and links find nothing; B cannot write mapping content")
    func tenantsAreIsolated() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            let tokenA = try await harness.tenantToken("tenant-a")
            let tokenB = try await harness.tenantToken("tenant-b")
            let world = try await TenantIsolationTests.build(harness, client: client, admin: admin, tokenB: tokenB)
            let instanceB = try #require(world.elementsB["/field-mappings"])
            let configure = try await client.send(.patch, "/field-mapping-instances/\(instanceB)", token: tokenA, body: ["importValue": ["x": "y"]])
            #expect(configure.status == 404, "\(configure.json)")
            let create = try await client.send(
                .post, "/field-mapping-instances", token: tokenA,
                body: ["fieldMappingKey": "sync", "connectionId": .string(world.connectionB), "instanceKey": "a"])
            #expect(create.status == 404, "\(create.json)")
            let link = try await client.send(
                .post, "/data-links", token: tokenA,
                body: ["connectionId": .string(world.connectionB), "dataLinkTableKey": "sync", "appRecordId": "a", "externalRecordId": "b"])
            #expect(link.status == 404, "\(link.json)")
            #expect(try await client.send(.get, "/data-links?connectionId=\(world.connectionB)", token: tokenA).json["items"]?.arrayCount == 0)
            #expect(
                try await client.send(.get, "/field-mapping-instances?connectionId=\(world.connectionB)", token: tokenA).json["items"]?.arrayCount
                    == 0)
            // B itself: its instance is configured through /field-mapping-instances, not by writing content.
            let content = try await client.send(.patch, "/field-mappings/\(instanceB)", token: tokenB, body: ["importValue": ["x": "y"]])
            #expect(content.status == 403 && content.json["key"] == "access_denied", "\(content.json)")
            let configured = try await client.send(.patch, "/field-mapping-instances/\(instanceB)", token: tokenB, body: ["importValue": ["x": "y"]])
            #expect(configured.status == 200 && configured.json["configuration"] == ["importValue": ["x": "y"]], "\(configured.json)")
            let unknown = try await client.send(
                .post, "/field-mapping-instances", token: tokenB, body: ["fieldMappingKey": "nope", "connectionId": .string(world.connectionB)])
            #expect(unknown.status == 404 && unknown.json["data"]?["fieldMappingKey"] != nil, "\(unknown.json)")
            // Admins see every tenant's.
            #expect(try await client.send(.get, "/data-links", token: admin).json["items"]?.arrayCount == 1)
            #expect(try await client.send(.get, "/field-mapping-instances", token: admin).json["items"]?.arrayCount == 1)
        }
    }
}
