import Foundation
import HTTPTypes
import SwitchyardAPI
import SwitchyardCore
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// Field mappings, app data schemas and data links end to end, on the embedded store and on
/// PostgreSQL: a connection made through the real OAuth 2.0 flow (authlib), whose connector's
/// `contacts` collection reads and writes authlib's in-memory records API, so what a mapping
/// exports is really stored at the external API and read back from it.
@Suite(.serialized, .enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct FieldMappingTests {
    /// The stores the tests run on: the embedded one always, PostgreSQL when there is one (or
    /// when every test must run).
    static let backends: [Bool] = [false] + (APIHarness.postgresAvailable ? [true] : [])

    static let contacts = """
        name: Contacts
        fieldsSchema:
          type: object
          properties:
            id: { type: string }
            name: { type: string }
            email: { type: string }
        methods:
          list:
            type: rest-api-mapping
            path: /records/contacts
            method: GET
            responseMapping:
              records: { $var: response.data.records }
          findById:
            type: rest-api-mapping
            path: /records/contacts/{id}
            method: GET
            requestMapping:
              pathParameters:
                id: { $var: input.id }
            responseMapping:
              record: { $var: response.data }
          match:
            type: rest-api-mapping
            path: /records/contacts
            method: GET
            requestMapping:
              query: { $var: input.query }
            responseMapping:
              record: { $var: "response.data.records[0]" }
          create:
            type: rest-api-mapping
            path: /records/contacts
            method: POST
            requestMapping:
              data: { $var: input.fields }
            responseMapping:
              record: { $var: response.data }
          update:
            type: rest-api-mapping
            path: /records/contacts/{id}
            method: PATCH
            requestMapping:
              pathParameters:
                id: { $var: input.id }
              data: { $var: input.fields }
            responseMapping:
              record: { $var: response.data }
        """

    /// Installs integration `hub` with the `contacts` collection; connects `acme`.
    static func connected(_ world: FlowWorld, _ client: APIClient) async throws -> (admin: String, tenant: String, connectionID: String) {
        let admin = try await world.harness.adminToken()
        let tenant = try await world.harness.tenantToken("acme")
        try await ConnectionFlowTests.install(
            client, admin: admin, spec: ActionRunTests.connector(world.oauth).spec, files: ["data/contacts/spec.yml": contacts],
            parameters: ["clientId": "switchyard", "clientSecret": "client-secret-value"])
        return (admin, tenant, try await world.connect(client, token: tenant))
    }

    static func create(_ client: APIClient, _ path: String, token: String, _ body: JSONValue) async throws -> JSONValue {
        let created = try await client.send(.post, path, token: token, body: body)
        #expect(created.status == 201, "POST \(path): \(created.status) \(created.json)")
        return created.json
    }

    static func run(_ client: APIClient, _ action: String, token: String, connectionID: String, _ input: JSONValue) async throws -> APIClient.Answer {
        try await client.send(.post, "/actions/\(action)/run", token: token, body: ["connectionId": .string(connectionID), "input": input])
    }

    @Test(
        """
        A record in the app's shape is exported through the tenant's customised mapping, stored at the external API, read back and imported \
        to the same app record; another tenant's records go through the mapping as the admin wrote it; frozen fields are refused
        """,
        arguments: backends)
    func roundTripWithCustomisedMapping(onPostgres: Bool) async throws {
        try await FlowWorld.with(onPostgres: onPostgres) { world, client in
            let (admin, tenant, connectionID) = try await Self.connected(world, client)
            _ = try await Self.create(
                client, "/app-data-schemas", token: admin,
                [
                    "key": "contact", "name": "Contact",
                    "schema": [
                        "type": "object", "required": ["fullName", "email"],
                        "properties": ["fullName": ["type": "string"], "email": ["type": "string"], "company": ["type": "string"]],
                    ],
                ])
            _ = try await Self.create(
                client, "/field-mappings", token: admin,
                [
                    "key": "contacts", "name": "Contacts", "appDataSchemaKey": "contact", "collectionKey": "contacts",
                    "exportValue": [
                        "name": ["$var": "$.appRecord.fullName"], "email": ["$var": "$.appRecord.email"], "org": ["$var": "$.appRecord.company"],
                    ],
                    "importValue": [
                        "fullName": ["$var": "$.externalRecord.name"], "email": ["$var": "$.externalRecord.email"],
                        "company": ["$var": "$.externalRecord.org"],
                    ],
                    "frozenExportFields": ["email"], "frozenImportFields": ["email"],
                ])
            for (key, type, config) in [
                ("create-contact", "create-data-record", ["fieldMappingKey": "contacts", "fields": ["$var": "$.input"]]),
                ("get-contact", "find-data-record-by-id", ["fieldMappingKey": "contacts", "id": ["$var": "$.input.id"]]),
                ("list-contacts", "list-data-records", ["fieldMappingKey": "contacts"]),
                (
                    "rename-contact", "update-data-record",
                    ["fieldMappingKey": "contacts", "id": ["$var": "$.input.id"], "fields": ["$var": "$.input.fields"]]
                ),
            ] as [(String, String, JSONValue)] {
                _ = try await Self.create(
                    client, "/actions", token: admin, ["key": .string(key), "name": .string(key), "type": .string(type), "config": config])
            }

            // The tenant's configuration: its external API keeps the company in `organization`.
            let instance = try await Self.create(
                client, "/field-mapping-instances", token: tenant,
                [
                    "fieldMappingKey": "contacts", "connectionId": .string(connectionID),
                    "exportValue": ["org": ["$plain": nil], "organization": ["$var": "$.appRecord.company"]],
                    "importValue": ["company": ["$var": "$.externalRecord.organization"]],
                ])
            let instanceID = try #require(instance["id"]?.stringValue)
            #expect(instance["layer"] == "instance" && instance["isCustomized"] == false && instance["collectionKey"] == "contacts", "\(instance)")
            #expect(instance["configuration"]?["exportValue"]?["organization"] != nil, "\(instance)")

            // Frozen fields: refused for the tenant, naming the field, whichever route it takes.
            let frozen = try await client.send(
                .patch, "/field-mapping-instances/\(instanceID)", token: tenant, body: ["exportValue": ["email": ["$var": "$.appRecord.fullName"]]])
            #expect(frozen.status == 403 && frozen.json["data"]?["exportValue.email"] == "is frozen", "\(frozen.json)")
            #expect(frozen.json["message"]?.stringValue?.contains("exportValue.email is frozen") == true, "\(frozen.json)")
            let frozenImport = try await client.send(
                .post, "/field-mapping-instances", token: tenant,
                body: ["fieldMappingKey": "contacts", "connectionId": .string(connectionID), "instanceKey": "second", "importValue": ["email": "x"]])
            #expect(frozenImport.status == 403 && frozenImport.json["data"]?["importValue.email"] == "is frozen", "\(frozenImport.json)")
            let generic = try await client.send(.patch, "/field-mappings/\(instanceID)", token: tenant, body: ["exportValue": ["email": "x"]])
            #expect(generic.status == 403 && generic.json["key"] == "access_denied", "\(generic.json)")
            let badFormula = try await client.send(
                .patch, "/field-mapping-instances/\(instanceID)", token: tenant, body: ["importValue": ["company": ["$nope": 1]]])
            #expect(badFormula.status == 400 && badFormula.json["data"]?["importValue.company"] != nil, "\(badFormula.json)")

            // Export → stored at the external API in the tenant's shape.
            let ada: JSONValue = ["fullName": "Ada Lovelace", "email": "ada@example.com", "company": "Analytical Engines"]
            let created = try await Self.run(client, "create-contact", token: tenant, connectionID: connectionID, ada)
            #expect(created.status == 200 && created.json["output"]?["record"] == ada, "\(created.json)")
            let externalID = try #require(created.json["output"]?["externalRecord"]?["id"]?.stringValue)
            let stored = try await ConnectionFlowTests.json(world.browser, world.oauth.baseURL + "/_records/contacts")
            #expect(
                stored["records"] == [
                    ["id": .string(externalID), "name": "Ada Lovelace", "email": "ada@example.com", "organization": "Analytical Engines"]
                ],
                "\(stored)")
            // Read back → imported to the same app record, by id and in a list.
            let read = try await Self.run(client, "get-contact", token: tenant, connectionID: connectionID, ["id": .string(externalID)])
            #expect(read.status == 200 && read.json["output"]?["record"] == ada, "\(read.json)")
            let listed = try await Self.run(client, "list-contacts", token: tenant, connectionID: connectionID, [:])
            #expect(listed.json["output"]?["records"] == [ada], "\(listed.json)")
            // A partial update changes only what it names.
            let renamed = try await Self.run(
                client, "rename-contact", token: tenant, connectionID: connectionID,
                ["id": .string(externalID), "fields": ["company": "Difference Engines"]])
            #expect(
                renamed.json["output"]?["record"]?["company"] == "Difference Engines"
                    && renamed.json["output"]?["record"]?["email"] == "ada@example.com", "\(renamed.json)")

            // An app record the app data schema refuses is not exported.
            let refused = try await Self.run(client, "create-contact", token: tenant, connectionID: connectionID, ["fullName": "No Mail"])
            #expect(refused.status == 400 && refused.json["data"]?["email"] != nil, "\(refused.json)")

            // Another tenant, no configuration: the mapping as the admin wrote it (`org`).
            let other = try await world.harness.tenantToken("globex")
            let otherConnection = try await world.connect(client, token: other)
            let grace: JSONValue = ["fullName": "Grace Hopper", "email": "grace@example.com", "company": "Navy"]
            let otherCreated = try await Self.run(client, "create-contact", token: other, connectionID: otherConnection, grace)
            #expect(otherCreated.json["output"]?["record"] == grace, "\(otherCreated.json)")
            #expect(
                otherCreated.json["output"]?["externalRecord"]?["org"] == "Navy"
                    && otherCreated.json["output"]?["externalRecord"]?["organization"] == nil)
            // Neither sees the other's instance.
            #expect(try await client.send(.get, "/field-mapping-instances/\(instanceID)", token: other).status == 404)
            #expect(try await client.send(.get, "/field-mapping-instances", token: other).json["items"]?.arrayCount == 0)

            // An admin may change a frozen field of a tenant's configuration.
            let adminChange = try await client.send(
                .patch, "/field-mapping-instances/\(instanceID)", token: admin, body: ["exportValue": ["email": ["$var": "$.appRecord.email"]]])
            #expect(adminChange.status == 200 && adminChange.json["configuration"]?["exportValue"]?["email"] != nil, "\(adminChange.json)")
            // null removes the tenant's setting of a field: the mapping's own formula applies again.
            let cleared = try await client.send(
                .patch, "/field-mapping-instances/\(instanceID)", token: tenant, body: ["importValue": ["company": nil]])
            #expect(cleared.status == 200 && cleared.json["configuration"]?["importValue"] == nil, "\(cleared.json)")
            let afterClear = try await Self.run(client, "get-contact", token: tenant, connectionID: connectionID, ["id": .string(externalID)])
            #expect(
                afterClear.json["output"]?["record"]?["company"] == nil,
                "the mapping's own importValue reads `org`, which this record lacks: \(afterClear.json)")
        }
    }

    @Test(
        """
        Data links resolve in a flow run through $lookup, $findExternalRecordId and $findAppRecordId; create-data-link and find-data-link nodes \
        work; find-or-create-data-record follows and makes links
        """,
        arguments: backends)
    func dataLinksInFlowRuns(onPostgres: Bool) async throws {
        try await FlowWorld.with(onPostgres: onPostgres) { world, client in
            let (admin, tenant, connectionID) = try await Self.connected(world, client)
            _ = try await Self.create(client, "/data-link-tables", token: admin, ["key": "people", "name": "People"])
            let link = try await Self.create(
                client, "/data-links", token: tenant,
                ["connectionId": .string(connectionID), "dataLinkTableKey": "people", "appRecordId": "app-1", "externalRecordId": "ext-1"])
            #expect(link["appRecordId"] == "app-1" && link["externalRecordId"] == "ext-1" && link["key"] == nil, "\(link)")
            let linkID = try #require(link["id"]?.stringValue)
            // The same link again changes nothing; a conflicting one is refused.
            let again = try await client.send(
                .post, "/data-links", token: tenant,
                body: ["connectionId": .string(connectionID), "dataLinkTableKey": "people", "appRecordId": "app-1", "externalRecordId": "ext-1"])
            #expect(again.status == 201 && again.json["id"] == .string(linkID), "\(again.json)")
            let conflict = try await client.send(
                .post, "/data-links", token: tenant,
                body: ["connectionId": .string(connectionID), "dataLinkTableKey": "people", "appRecordId": "app-1", "externalRecordId": "ext-2"])
            #expect(conflict.status == 409 && conflict.json["data"]?["appRecordId"] != nil, "\(conflict.json)")
            let unknownTable = try await client.send(
                .post, "/data-links", token: tenant,
                body: ["connectionId": .string(connectionID), "dataLinkTableKey": "nope", "appRecordId": "a", "externalRecordId": "b"])
            #expect(unknownTable.status == 404 && unknownTable.json["data"]?["dataLinkTableKey"] != nil, "\(unknownTable.json)")

            let lookups: JSONValue = [
                "external": ["$findExternalRecordId": ["dataLinkTableKey": "people", "appRecordId": ["$var": "$.input.appId"]]],
                "app": ["$findAppRecordId": ["dataLinkTableKey": "people", "externalRecordId": "ext-1"]],
                "viaLookup": ["$lookup": ["dataLinkTableKey": "people", "appRecordId": ["$var": "$.input.appId"]]],
                "none": ["$lookup": ["dataLinkTableKey": "people", "externalRecordId": "nobody"]],
            ]
            try await FlowRunTests.createFlow(
                client, admin: admin, key: "linking",
                nodes: [
                    "start": ["type": "api-trigger", "links": ["before"]],
                    "before": ["type": "transform", "config": ["output": lookups], "links": ["link"]],
                    "link": [
                        "type": "create-data-link", "links": ["find"],
                        "config": ["dataLinkTableKey": "people", "appRecordId": "app-2", "externalRecordId": ["$var": "$.input.newExternal"]],
                    ],
                    "find": ["type": "find-data-link", "config": ["dataLinkTableKey": "people", "externalRecordId": "ext-2"], "links": ["missing"]],
                    "missing": ["type": "find-data-link", "config": ["dataLinkTableKey": "people", "appRecordId": "app-404"], "links": ["after"]],
                    "after": ["type": "transform", "config": ["output": ["$lookup": ["dataLinkTableKey": "people", "appRecordId": "app-2"]]]],
                ])
            let runID = try await FlowRunTests.start(
                client, "linking", token: tenant, connectionID: connectionID, input: ["appId": "app-1", "newExternal": "ext-2"])
            try await world.drain(runID)
            let run = try await FlowWorld.run(client, runID, token: tenant)
            #expect(run["status"] == "completed", "\(run["error"] ?? .null)")
            #expect(FlowWorld.node(run, "before")?["output"] == ["external": "ext-1", "app": "app-1", "viaLookup": "ext-1", "none": .null], "\(run)")
            #expect(FlowWorld.node(run, "link")?["output"]?["created"] == true)
            #expect(FlowWorld.node(run, "find")?["output"]?["found"] == true && FlowWorld.node(run, "find")?["output"]?["appRecordId"] == "app-2")
            #expect(FlowWorld.node(run, "missing")?["output"] == ["found": false, "appRecordId": "app-404"])
            #expect(run["output"] == "ext-2", "a link made in the run resolves later in it: \(run["output"] ?? .null)")
            let listed = try await client.send(.get, "/data-links?connectionId=\(connectionID)&externalRecordId=ext-2", token: tenant)
            #expect(listed.json["items"]?.arrayCount == 1 && listed.json["items"]?[0]?["appRecordId"] == "app-2", "\(listed.json)")

            // find-or-create: the first run makes and links a record, the second finds it through the link.
            _ = try await Self.create(
                client, "/actions", token: admin,
                [
                    "key": "upsert", "name": "Upsert", "type": "find-or-create-data-record",
                    "config": [
                        "collectionKey": "contacts", "fields": ["name": ["$var": "$.input.name"], "email": ["$var": "$.input.email"]],
                        "dataLinkTableKey": "people", "appRecordId": ["$var": "$.input.appId"],
                    ],
                ])
            let first = try await Self.run(
                client, "upsert", token: tenant, connectionID: connectionID, ["appId": "app-9", "name": "Ada", "email": "ada@x.org"])
            #expect(first.json["output"]?["created"] == true && first.json["output"]?["linked"] == true, "\(first.json)")
            let externalID = try #require(first.json["output"]?["record"]?["id"]?.stringValue)
            let second = try await Self.run(
                client, "upsert", token: tenant, connectionID: connectionID, ["appId": "app-9", "name": "Other", "email": "other@x.org"])
            #expect(second.json["output"]?["created"] == false && second.json["output"]?["record"]?["id"] == .string(externalID), "\(second.json)")
            let stored = try await ConnectionFlowTests.json(world.browser, world.oauth.baseURL + "/_records/contacts")
            #expect(stored["records"]?.arrayCount == 1, "the linked record was found, not made again: \(stored)")
            // A lookup outside a connection's run says why it cannot work.
            _ = try await Self.create(
                client, "/actions", token: admin,
                ["key": "no-connection", "name": "x", "type": "transform", "config": ["output": lookups]])
            let bare = try await client.send(.post, "/actions/no-connection/run", token: tenant, body: ["input": ["appId": "app-1"]])
            #expect(bare.status == 400 && bare.json["message"]?.stringValue?.contains("connection") == true, "\(bare.json)")

            // Another tenant sees none of these links.
            let other = try await world.harness.tenantToken("globex")
            #expect(try await client.send(.get, "/data-links", token: other).json["items"]?.arrayCount == 0)
            #expect(try await client.send(.get, "/data-links/\(linkID)", token: other).status == 404)
            #expect(try await client.send(.delete, "/data-links/\(linkID)", token: other).status == 404)
            let deleted = try await client.send(.delete, "/data-links/\(linkID)", token: tenant)
            #expect(deleted.status == 200 && deleted.json["id"] == .string(linkID))
            #expect(try await client.send(.get, "/data-links/\(linkID)", token: tenant).status == 404)
        }
    }
}
