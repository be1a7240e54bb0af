import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

import SwitchyardConnectors
import SwitchyardCore
import SwitchyardTestSupport

/// Data sources against a real API: Datasette serving a generated SQLite table through its JSON
/// API with keyset pages, read by the real binary on the embedded default and on PostgreSQL.
@Suite(
    .serialized,
    .enabled(if: TestEnvironment.canRunBinary, "needs the switchyard binary"),
    .enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON with datasette (scripts/test)"),
    .timeLimit(.minutes(6))
)
struct DataSyncProcessTests {
    /// Where the processes keep their data.
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    @Test(
        "Changes between syncs are exactly those events and start flows; sync status, tenant isolation, data routes, signed webhooks",
        arguments: DataSyncProcessTests.Backend.allCases)
    func syncsAgainstDatasette(backend: Backend) async throws {
        try #require(backend == .sqlite || TestEnvironment.canUsePostgres || PythonTestServer.requireAll, "needs PostgreSQL")
        let world = try await DataWorld.start(backend: backend, rows: 45)
        do {
            try await world.checkDirectRoutes()
            try await world.checkSyncEvents()
            try await world.checkBadConnectorsAndIsolation()
            try await world.checkWebhooks()
        } catch {
            Issue.record("\(error)\n\(world.logs)")
        }
        await world.stop()
    }

    @Test(
        "A full scan whose worker is killed half-way resumes at its cursor and reports exactly what was deleted and created",
        arguments: DataSyncProcessTests.Backend.allCases)
    func scanSurvivesKill(backend: Backend) async throws {
        try #require(backend == .sqlite || TestEnvironment.canUsePostgres || PythonTestServer.requireAll, "needs PostgreSQL")
        let world = try await DataWorld.start(backend: backend, rows: 400)
        do {
            let instance = try await world.createInstance()
            let baseline = try await world.waitForPull(of: instance, mode: "full", after: nil)
            #expect(baseline["status"] == "completed" && baseline["baseline"] == true && baseline["recordsSeen"] == 400, "\(baseline)")
            for id in [5, 250, 377] { try await world.sql("DELETE FROM contacts WHERE id = ?", [.number(Double(id))]) }
            try await world.sql("INSERT INTO contacts VALUES (9001, 'Late', 'late@example.com', 9001)")
            try await world.sql("UPDATE contacts SET name = 'Renamed', updated_at = 7000 WHERE id = 390")
            try await world.delay(ms: 120)
            let queued = try await world.api.send(.POST, "/data-source-instances/\(instance)/pull", token: world.tenant, json: ["mode": "full"])
            #expect(queued.status == 202, "\(queued.body)")
            let pullID = "pull-\(Int(queued.json["jobId"]?.numberValue ?? 0))"
            try await world.waitFor("the scan to read ten pages") {
                (try await world.api.send(.GET, "/external-event-pulls/\(pullID)", token: world.tenant).json["pages"]?.numberValue ?? 0) >= 10
            }
            try await world.killWorker()
            // On SQLite the worker was the whole all-in-one process: it comes back before anything can be read.
            try await world.startWorker()
            let stopped = try await world.api.send(.GET, "/external-event-pulls/\(pullID)", token: world.tenant).json
            #expect(stopped["status"] == "running" && (stopped["pages"]?.numberValue ?? 0) < 40, "the worker died mid-scan: \(stopped)")
            try await world.delay(ms: 0)
            try await world.waitFor("the scan to complete after the restart", timeout: .seconds(120)) {
                try await world.api.send(.GET, "/external-event-pulls/\(pullID)", token: world.tenant).json["status"] == "completed"
            }
            let pull = try await world.api.send(.GET, "/external-event-pulls/\(pullID)", token: world.tenant).json
            #expect(pull["deleted"] == 3 && pull["created"] == 1 && pull["updated"] == 1, "\(pull)")
            // 40 pages in all (400 rows, ten a page): a resumed scan reads again at
            // most the page it was on, where one started over would read every page again.
            #expect((40...41).contains(pull["pages"]?.numberValue ?? 0), "the scan resumed at its cursor: \(pull)")
            #expect(try await world.events(pullID) == ["data-record-created:9001", "data-record-deleted:250", "data-record-deleted:377",
                                                        "data-record-deleted:5", "data-record-updated:390"])
            let status = try await world.api.send(.GET, "/data-source-instances/\(instance)", token: world.tenant).json["sync"]
            #expect(status?["recordsSeen"] == 398 && status?["lastSuccess"]?["pullId"] == .string(pullID), "\(status ?? .null)")
        } catch {
            Issue.record("\(error)\n\(world.logs)")
        }
        await world.stop()
    }
}

/// A running Switchyard (all-in-one on SQLite, or API + orchestrator and a queued worker on
/// PostgreSQL), a Datasette with a `contacts` table, a connector that reads it, an integration,
/// and one connection each for the tenants `acme` and `other`.
final class DataWorld: @unchecked Sendable {
    let backend: DataSyncProcessTests.Backend
    let datasette: PythonTestServer
    let browser: ConnectionProcessBrowser
    let environment: [String: String]
    let api: ConnectionProcessAPI
    let admin: String
    let tenant: String
    let otherTenant: String
    let connectionID: String
    let otherConnectionID: String
    private var processes: [SwitchyardProcess]
    private var worker: SwitchyardProcess?
    private let database: PostgresTestDatabase?

    var logs: String { processes.map(\.output).joined(separator: "\n----\n") }

    private init(
        backend: DataSyncProcessTests.Backend, datasette: PythonTestServer, browser: ConnectionProcessBrowser, environment: [String: String],
        api: ConnectionProcessAPI, admin: String,
        tenant: String, otherTenant: String, connectionID: String, otherConnectionID: String, processes: [SwitchyardProcess],
        worker: SwitchyardProcess?,
        database: PostgresTestDatabase?
    ) {
        self.backend = backend
        self.datasette = datasette
        self.browser = browser
        self.environment = environment
        self.api = api
        self.admin = admin
        self.tenant = tenant
        self.otherTenant = otherTenant
        self.connectionID = connectionID
        self.otherConnectionID = otherConnectionID
        self.processes = processes
        self.worker = worker
        self.database = database
    }

    /// The connector: `contacts` read with keyset pages (ten a page), written through the test
    /// server's SQL control; `looping` answers every page with the same cursor.
    static func package(_ base: String) -> Data {
        let contacts = """
            name: Contacts
            fieldsSchema:
              type: object
              required: [name]
              properties: {name: {type: string}, email: {type: string}, updatedAt: {type: integer}}
            fieldsFromApi:
              name: {$var: $.name}
              email: {$var: $.email}
              updatedAt: {$var: $.updated_at}
            fieldsToApi:
              full_name: {$var: $.name}
              mail: {$var: $.email}
            methods:
              list:
                type: rest-api-mapping
                path: /people/contacts.json
                method: GET
                requestMapping:
                  query:
                    _shape: objects
                    _size: 10
                    _nocount: 1
                    _nofacet: 1
                    _next: {$var: $.input.cursor}
                    updated_at__gt: {$var: $.input.since}
                    _sort:
                      $case:
                        cases: [{filter: {$eval: {$var: $.input.since}, isNotEmpty: true}, value: updated_at}]
                        default: id
                responseMapping:
                  records: {$var: $.response.data.rows}
                  cursor: {$var: $.response.data.next}
              findById:
                type: rest-api-mapping
                path: /people/contacts.json
                method: GET
                requestMapping:
                  query: {_shape: objects, id__exact: {$var: $.input.id}, _nocount: 1}
                responseMapping: {$var: "$.response.data.rows[0]"}
              create:
                type: rest-api-mapping
                path: /_control/sql
                method: POST
                requestMapping:
                  data:
                    sql: "INSERT INTO contacts (name, email, updated_at) VALUES (?, ?, 100000)"
                    params: [{$var: $.input.fields.full_name}, {$var: $.input.fields.mail}]
                responseMapping: {id: {$var: $.response.data.lastId}}
              update:
                type: rest-api-mapping
                path: /_control/sql
                method: POST
                requestMapping:
                  data:
                    sql: "UPDATE contacts SET name = ?, email = ?, updated_at = updated_at + 100000 WHERE id = ?"
                    params: [{$var: $.input.fields.full_name}, {$var: $.input.fields.mail}, {$var: $.input.id}]
              delete:
                type: rest-api-mapping
                path: /_control/sql
                method: POST
                requestMapping:
                  data: {sql: "DELETE FROM contacts WHERE id = ?", params: [{$var: $.input.id}]}
            events:
              pull-latest-records: {updatedField: updated_at}
              full-scan: true
            """
        let looping = """
            name: Looping
            fieldsSchema: {type: object}
            methods:
              list:
                type: mapping
                mapping: {records: [{id: 1}], cursor: same}
            events:
              full-scan: true
            """
        let tasks = """
            name: Tasks
            fieldsSchema: {type: object, required: [title], properties: {title: {type: string}}}
            methods:
              list: {type: mapping, mapping: {records: []}}
            events:
              webhook:
                subscribe:
                  type: rest-api-mapping
                  path: /provider/subscriptions
                  method: POST
                  requestMapping: {data: {url: {$var: $.input.webhookUri}}}
                  responseMapping: {state: {id: {$var: $.response.data.id}, secret: {$var: $.response.data.secret}}}
                unsubscribe:
                  type: rest-api-mapping
                  path: /provider/subscriptions/{id}
                  method: DELETE
                  requestMapping: {pathParameters: {id: {$var: $.input.state.id}}}
                handle:
                  type: mapping
                  mapping:
                    events:
                      - type: {$var: $.input.data.action}
                        record: {$var: $.input.data.task}
                        id: {$var: $.input.data.task.id}
                signature: {header: X-Provider-Signature, secret: {$var: $.state.secret}, prefix: "sha256="}
                challengeQuery: challenge
            """
        let spec = "key: people\nname: People\nauth:\n  type: client-credentials\n"
            + "  makeApiClient:\n    type: mapping\n    mapping:\n      baseUri: \(base)\n"
        return ConnectorArchive.pack([
            "spec.yml": Data(spec.utf8), "data/contacts/spec.yml": Data(contacts.utf8), "data/looping/spec.yml": Data(looping.utf8),
            "data/tasks/spec.yml": Data(tasks.utf8),
        ])
    }

    static func start(backend: DataSyncProcessTests.Backend, rows: Int) async throws -> DataWorld {
        let directory = try TestEnvironment.temporaryDirectory()
        let datasette = try await PythonTestServer.start("datasette_server.py", arguments: [directory + "/people.db", "--rows", String(rows)])
        let browser = ConnectionProcessBrowser()
        var processes: [SwitchyardProcess] = []
        var database: PostgresTestDatabase?
        do {
            return try await start(backend: backend, directory: directory, datasette: datasette, browser: browser, processes: &processes,
                database: &database)
        } catch {
            let logs = processes.map(\.output).joined(separator: "\n----\n")
            for process in processes { _ = try? await process.stop() }
            try? await browser.client.shutdown()
            await datasette.stop()
            database?.drop()
            throw TestServerError("the data world did not start: \(error)\n\(logs)")
        }
    }

    private static func start(
        backend: DataSyncProcessTests.Backend, directory: String, datasette: PythonTestServer, browser: ConnectionProcessBrowser,
        processes: inout [SwitchyardProcess], database: inout PostgresTestDatabase?
    ) async throws -> DataWorld {
        let port = try RawConnection.freePort()
        var environment: [String: String]
        switch backend {
        case .sqlite:
            environment = ["DATA_DIR": directory, "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.0/8"]
        case .postgres:
            let (created, shared) = try await ConnectionProcessTests.postgresEnvironment(callbackPort: port)
            database = created
            environment = shared
        }
        environment.merge(["ORCHESTRATOR_INTERVAL_MS": "100", "JOBS_POLL_INTERVAL_MS": "100", "JOBS_LEASE_SECONDS": "3"]) { $1 }
        var apiEnvironment = environment
        apiEnvironment["PORT"] = String(port)
        let server = try SwitchyardProcess(["serve"] + (backend == .postgres ? ["--role", "api,orchestrator"] : []), environment: apiEnvironment)
        processes.append(server)
        var worker: SwitchyardProcess?
        let api = ConnectionProcessAPI(port: try await server.waitUntilHealthy(timeout: .seconds(60)), browser: browser)
        if backend == .postgres {
            var workerEnvironment = environment
            workerEnvironment["PORT"] = String(try RawConnection.freePort())
            let started = try SwitchyardProcess(["serve", "--role", "queued-worker"], environment: workerEnvironment)
            processes.append(started)
            worker = started
            _ = try await started.waitUntilHealthy(timeout: .seconds(60))
        } else {
            worker = server
        }
        let admin = try await ConnectionProcessTests.token(["--admin"], environment: environment)
        let tenant = try await ConnectionProcessTests.token(["--tenant", "acme"], environment: environment)
        let other = try await ConnectionProcessTests.token(["--tenant", "other"], environment: environment)
        #expect(try await api.send(.POST, "/connectors", token: admin, json: ["key": "people", "name": "People"]).status == 201)
        let upload = try await browser.send(
            .POST, api.baseURL + "/connectors/people/upload", token: admin, bytes: package(datasette.baseURL), contentType: "application/zip")
        #expect(upload.status == 200, "\(upload.body)")
        #expect(try await api.send(.POST, "/integrations", token: admin, json: ["key": "people", "name": "People",
            "connectorId": "people"]).status == 201)
        func connect(_ token: String) async throws -> String {
            #expect(try await browser.send(.GET, api.baseURL + "/connect?integrationKey=people&token=\(token)").status == 200)
            let items = try await api.send(.GET, "/connections", token: token).json["items"]
            return try #require(items?.arrayValue?.first?["id"]?.stringValue)
        }
        return DataWorld(
            backend: backend, datasette: datasette, browser: browser, environment: environment, api: api, admin: admin, tenant: tenant,
            otherTenant: other,
            connectionID: try await connect(tenant), otherConnectionID: try await connect(other), processes: processes, worker: worker,
            database: database)
    }

    func stop() async {
        for process in processes { _ = try? await process.stop() }
        try? await browser.client.shutdown()
        await datasette.stop()
        database?.drop()
    }

    func waitFor(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, try await !condition() { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try await condition(), "timed out waiting for \(what)")
    }

    /// Runs SQL against the table behind Datasette.
    func sql(_ statement: String, _ params: [JSONValue] = []) async throws {
        let answer = try await browser.send(.POST, datasette.baseURL + "/_control/sql", json: ["sql": .string(statement), "params": .array(params)])
        #expect(answer.status == 200, "\(answer.body)")
    }

    /// Slows every Datasette request down.
    func delay(ms: Int) async throws {
        #expect(try await browser.send(.POST, datasette.baseURL + "/_control/delay", json: ["ms": .number(Double(ms))]).status == 200)
    }

    /// The data source `contacts-sync` and its instance for acme's connection.
    func createInstance() async throws -> String {
        let source = try await api.send(.POST, "/data-sources", token: admin, json: [
            "key": "contacts-sync", "name": "Contacts", "integrationKey": "people", "collectionKey": "contacts",
        ])
        #expect(source.status == 201, "\(source.body)")
        let instance = try await api.send(.POST, "/data-source-instances", token: tenant, json: [
            "dataSourceKey": "contacts-sync", "connectionId": .string(connectionID), "pullUpdatesIntervalSeconds": 3600,
            "fullSyncIntervalSeconds": 3600,
        ])
        #expect(instance.status == 201, "\(instance.body)")
        return try #require(instance.json["id"]?.stringValue)
    }

    /// The newest pull of an instance of a mode other than `after`, once it has ended.
    func waitForPull(of instance: String, mode: String, after: String?) async throws -> JSONValue {
        var found: JSONValue = .null
        try await waitFor("a \(mode) pull to end", timeout: .seconds(90)) {
            let pulls = try await api.send(.GET, "/external-event-pulls?dataSourceInstanceId=\(instance)",
                token: tenant).json["items"]?.arrayValue ?? []
            guard let newest = pulls.first(where: { $0["mode"] == .string(mode) }), newest["id"]?.stringValue != after,
                newest["status"] != "running"
            else { return false }
            found = newest
            return true
        }
        return found
    }

    /// Queues a pull now and waits for it to end.
    func pull(_ instance: String, mode: String) async throws -> JSONValue {
        let queued = try await api.send(.POST, "/data-source-instances/\(instance)/pull", token: tenant, json: ["mode": .string(mode)])
        #expect(queued.status == 202, "\(queued.body)")
        let pullID = "pull-\(Int(queued.json["jobId"]?.numberValue ?? 0))"
        var found: JSONValue = .null
        try await waitFor("pull \(pullID) to end", timeout: .seconds(90)) {
            found = try await api.send(.GET, "/external-event-pulls/\(pullID)", token: tenant).json
            return found["status"] == "completed" || found["status"] == "failed"
        }
        return found
    }

    /// A pull's events as sorted `type:recordId` lines.
    func events(_ pullID: String) async throws -> [String] {
        let items = try await api.send(.GET, "/external-events?pullId=\(pullID)&limit=1000", token: tenant).json["items"]?.arrayValue ?? []
        return items.map { "\($0["type"]?.stringValue ?? "?"):\($0["record"]?["id"]?.stringValue ?? "?")" }.sorted()
    }

    func killWorker() async throws {
        let worker = try #require(self.worker, "no queued worker is running to kill")
        worker.signal(SIGKILL)
        _ = try await worker.waitForExit(timeout: .seconds(20))
        self.worker = nil
    }

    /// A new queued worker (on SQLite: the all-in-one process again, on the same data).
    func startWorker() async throws {
        var workerEnvironment = environment
        workerEnvironment["PORT"] = String(backend == .sqlite ? api.port : try RawConnection.freePort())
        let started = try SwitchyardProcess(["serve"] + (backend == .postgres ? ["--role", "queued-worker"] : []), environment: workerEnvironment)
        processes.append(started)
        worker = started
        _ = try await started.waitUntilHealthy(timeout: .seconds(60))
    }

    // MARK: - The checks of the first test

    func checkDirectRoutes() async throws {
        let base = "/connections/\(connectionID)/data/contacts"
        let first = try await api.send(.GET, base, token: tenant).json
        let items = first["items"]?.arrayValue ?? []
        #expect(items.count == 10 && items.first == ["id": "1", "fields": ["name": "Contact 1", "email": "c1@example.com", "updatedAt": 1]],
            "\(first)")
        let cursor = try #require(first["cursor"]?.stringValue)
        let second = try await api.send(.GET, base + "?cursor=\(ConnectionProcessBrowser.encode(cursor))", token: tenant).json
        #expect(second["items"]?.arrayValue?.first?["id"] == "11", "\(second)")
        #expect(try await api.send(.GET, base + "/3", token: tenant).json == ["id": "3", "fields": ["name": "Contact 3", "email": "c3@example.com",
            "updatedAt": 3]])
        let created = try await api.send(.POST, base, token: tenant, json: ["fields": ["name": "Made here", "email": "made@example.com"]])
        #expect(created.status == 201, "\(created.body)")
        let patched = try await api.send(.PATCH, base + "/45", token: tenant, json: ["fields": ["name": "Changed", "email": "changed@example.com"]])
        #expect(patched.status == 200, "\(patched.body)")
        #expect(try await api.send(.GET, base + "/45", token: tenant).json["fields"]?["name"] == "Changed")
        #expect(try await api.send(.DELETE, base + "/44", token: tenant).status == 200)
        #expect(try await api.send(.GET, base + "/44", token: tenant).status == 404)
        // Bad input: fields the schema refuses, an unknown collection, another tenant's connection.
        let refused = try await api.send(.POST, base, token: tenant, json: ["fields": ["name": 5]])
        #expect(refused.status == 400 && refused.body.contains("name"), "\(refused.body)")
        let unknown = try await api.send(.GET, "/connections/\(connectionID)/data/nope", token: tenant)
        #expect(unknown.status == 404 && unknown.body.contains("contacts"), "\(unknown.body)")
        #expect(try await api.send(.GET, "/connections/\(otherConnectionID)/data/contacts", token: tenant).status == 404)
        #expect(try await api.send(.GET, base + "?parameters=nope", token: tenant).status == 400)
    }

    func checkSyncEvents() async throws {
        // A flow that hears new contacts.
        let flow = try await api.send(.POST, "/flows", token: admin, json: [
            "key": "on-contact", "name": "On contact", "integrationKey": "people",
            "nodes": [
                "new": ["type": "data-record-created-trigger", "config": ["collectionKey": "contacts"], "links": ["note"]],
                "note": ["type": "transform", "config": ["output": ["$var": "$.input.record.fields.name"]]],
            ],
        ])
        #expect(flow.status == 201, "\(flow.body)")
        #expect(try await api.send(.POST, "/flow-instances", token: tenant, json: ["flowKey": "on-contact",
            "connectionId": .string(connectionID)]).status == 201)
        let instance = try await createInstance()
        // The first pull records what is there (45 rows, one deleted, one created) and reports nothing.
        let baseline = try await waitForPull(of: instance, mode: "full", after: nil)
        #expect(baseline["status"] == "completed" && baseline["baseline"] == true && baseline["recordsSeen"] == 45, "\(baseline)")
        let baselineID = try #require(baseline["id"]?.stringValue)
        #expect(try await events(baselineID).isEmpty)

        // Between syncs: three inserted, two updated, two deleted, and one row the schema refuses.
        try await sql(
            "INSERT INTO contacts VALUES (1001, 'A', 'a@example.com', 1001), (1002, 'B', 'b@example.com', 1002), (1003, 'C', 'c@example.com', 1003)")
        try await sql("UPDATE contacts SET name = 'Seven', updated_at = 2000 WHERE id IN (7, 8)")
        try await sql("DELETE FROM contacts WHERE id IN (12, 30)")
        try await sql("INSERT INTO contacts VALUES (1004, NULL, 'nameless@example.com', 1004)")
        let full = try await pull(instance, mode: "full")
        let fullID = try #require(full["id"]?.stringValue)
        #expect(full["status"] == "completed" && full["baseline"] == false && full["skipped"] == 1, "\(full)")
        #expect(full["skippedReasons"]?.arrayValue?.first?.stringValue?.contains("record 1004") == true, "\(full)")
        #expect(try await events(fullID) == [
            "data-record-created:1001", "data-record-created:1002", "data-record-created:1003", "data-record-deleted:12", "data-record-deleted:30",
            "data-record-updated:7", "data-record-updated:8",
        ])
        // The created events started the flow, once each.
        try await waitFor("three flow runs to complete") {
            let runs = try await api.send(.GET, "/flow-runs?status=completed&limit=100", token: tenant).json["items"]?.arrayValue ?? []
            return runs.count == 3
        }
        let runs = try await api.send(.GET, "/flow-runs?limit=100", token: tenant).json["items"]?.arrayValue ?? []
        #expect(Set(runs.compactMap { $0["output"]?.stringValue }) == ["A", "B", "C"], "\(runs)")
        #expect(full["flowRunIds"]?.arrayValue?.count == 3, "\(full)")

        // An incremental pull reads what changed since: one insert and one update.
        try await sql("INSERT INTO contacts VALUES (2001, 'D', 'd@example.com', 5000)")
        try await sql("UPDATE contacts SET name = 'Nine', updated_at = 5001 WHERE id = 9")
        let incremental = try await pull(instance, mode: "incremental")
        #expect(incremental["status"] == "completed", "\(incremental)")
        #expect(try await events(try #require(incremental["id"]?.stringValue)) == ["data-record-created:2001", "data-record-updated:9"])
        // The next one starts after the newest it saw, and finds nothing.
        let quiet = try await pull(instance, mode: "incremental")
        #expect(quiet["recordsSeen"] == 0 && quiet["status"] == "completed", "\(quiet)")

        let status = try await api.send(.GET, "/data-source-instances/\(instance)", token: tenant).json
        #expect(status["sync"]?["recordsSeen"] == 47 && status["sync"]?["lastSuccess"]?["pullId"] == quiet["id"], "\(status)")
        #expect(status["sync"]?["inProgress"] == nil && status["sync"]?["lastError"] == nil, "\(status)")

        // Tenant isolation: the other tenant sees none of it.
        #expect(try await api.send(.GET, "/data-source-instances/\(instance)", token: otherTenant).status == 404)
        #expect(try await api.send(.POST, "/data-source-instances/\(instance)/pull", token: otherTenant, json: [:]).status == 404)
        #expect(try await api.send(.PATCH, "/data-source-instances/\(instance)", token: otherTenant, json: ["enabled": false]).status == 404)
        #expect(try await api.send(.GET, "/external-event-pulls/\(fullID)", token: otherTenant).status == 404)
        #expect(try await api.send(.GET, "/external-event-pulls", token: otherTenant).json["items"] == [])
        #expect(try await api.send(.GET, "/external-events", token: otherTenant).json["items"] == [])
        #expect(try await api.send(.GET, "/data-source-instances", token: otherTenant).json["items"] == [])
        let someEvent = try #require(try await api.send(.GET, "/external-events?pullId=\(fullID)",
            token: tenant).json["items"]?.arrayValue?.first?["id"]?.stringValue)
        #expect(try await api.send(.GET, "/external-events/\(someEvent)", token: otherTenant).status == 404)
        #expect(try await api.send(.POST, "/data-source-instances", token: otherTenant, json: [
            "dataSourceKey": "contacts-sync", "connectionId": .string(connectionID),
        ]).status == 404)
        // The admin sees both tenants' instances.
        #expect(try await api.send(.GET, "/data-source-instances", token: admin).json["items"]?.arrayValue?.count == 1)

        // Disabled, it pulls no more; its schedules are gone.
        #expect(try await api.send(.PATCH, "/data-source-instances/\(instance)", token: tenant, json: ["enabled": false]).status == 200)
        #expect(try await api.send(.POST, "/data-source-instances/\(instance)/pull", token: tenant, json: [:]).status == 409)
    }

    func checkBadConnectorsAndIsolation() async throws {
        // A connector that repeats its cursor: the pull stops with the reason, and the status shows it.
        let source = try await api.send(.POST, "/data-sources", token: admin, json: [
            "key": "looping", "name": "Looping", "integrationKey": "people", "collectionKey": "looping",
        ])
        #expect(source.status == 201, "\(source.body)")
        let created = try await api.send(.POST, "/data-source-instances", token: tenant, json: ["dataSourceKey": "looping",
            "connectionId": .string(connectionID)])
        #expect(created.status == 201, "\(created.body)")
        let instance = try #require(created.json["id"]?.stringValue)
        let pull = try await waitForPull(of: instance, mode: "full", after: nil)
        #expect(pull["status"] == "failed" && pull["error"]?.stringValue?.contains("cursor same again") == true, "\(pull)")
        let status = try await api.send(.GET, "/data-source-instances/\(instance)", token: tenant).json["sync"]
        #expect(status?["lastError"]?["message"]?.stringValue?.contains("again") == true, "\(status ?? .null)")
        // Bad requests name the field.
        let badMode = try await api.send(.POST, "/data-source-instances/\(instance)/pull", token: tenant, json: ["mode": "sometimes"])
        #expect(badMode.status == 400 && badMode.body.contains("mode"), "\(badMode.body)")
        let badInterval = try await api.send(.PATCH, "/data-source-instances/\(instance)", token: tenant, json: ["pullUpdatesIntervalSeconds": 0])
        #expect(badInterval.status == 400 && badInterval.body.contains("pullUpdatesIntervalSeconds"), "\(badInterval.body)")
        let unknown = try await api.send(.POST, "/data-source-instances", token: tenant, json: ["dataSourceKey": "nope",
            "connectionId": .string(connectionID)])
        #expect(unknown.status == 404 && unknown.body.contains("dataSourceKey"), "\(unknown.body)")
        // Archived, it is gone for its tenant.
        #expect(try await api.send(.DELETE, "/data-source-instances/\(instance)", token: tenant).status == 200)
        #expect(try await api.send(.GET, "/data-source-instances/\(instance)", token: tenant).status == 404)
    }

    /// Provider webhooks: subscribed when the instance is created, delivered to a flow when signed
    /// right, refused when not, unsubscribed at the provider when the connection goes.
    func checkWebhooks() async throws {
        #expect(try await api.send(.POST, "/data-sources", token: admin, json: [
            "key": "task-hooks", "name": "Task hooks", "integrationKey": "people", "collectionKey": "tasks",
        ]).status == 201)
        let flow = try await api.send(.POST, "/flows", token: admin, json: [
            "key": "on-task", "name": "On task", "integrationKey": "people",
            "nodes": [
                "changed": ["type": "data-record-updated-trigger", "config": ["collectionKey": "tasks"], "links": ["note"]],
                "note": ["type": "transform", "config": ["output": ["$var": "$.input.record.fields.title"]]],
            ],
        ])
        #expect(flow.status == 201, "\(flow.body)")
        #expect(try await api.send(.POST, "/flow-instances", token: tenant, json: ["flowKey": "on-task",
            "connectionId": .string(connectionID)]).status == 201)
        let instance = try await api.send(.POST, "/data-source-instances", token: tenant, json: [
            "dataSourceKey": "task-hooks", "connectionId": .string(connectionID), "pullUpdatesIntervalSeconds": 3600, "fullSyncIntervalSeconds": 3600,
        ])
        #expect(instance.status == 201, "\(instance.body)")
        let subscriptions = try await browser.send(.GET, datasette.baseURL + "/provider/subscriptions").json.arrayValue ?? []
        #expect(subscriptions.count == 1, "\(subscriptions)")
        let subscription = try #require(subscriptions.first?["id"]?.stringValue)
        let url = try #require(subscriptions.first?["url"]?.stringValue)
        #expect(url.hasPrefix("http://127.0.0.1:\(api.port)/webhooks/external-events/"), "\(url)")

        // A signed delivery reaches the flow.
        let fired = try await browser.send(.POST, datasette.baseURL + "/_control/fire", json: [
            "subscription": .string(subscription), "payload": ["action": "updated", "task": ["id": 7, "title": "Ship it"]],
        ]).json
        #expect(fired["status"] == 200, "\(fired)")
        let answer = try JSONValue.parse(fired["body"]?.stringValue ?? "")
        let runID = try #require(answer["flowRunIds"]?.arrayValue?.first?.stringValue, "\(answer)")
        #expect(answer["received"] == 1, "\(answer)")
        try await waitFor("the webhook's flow run") { try await api.send(.GET, "/flow-runs/\(runID)", token: tenant).json["status"] == "completed" }
        #expect(try await api.send(.GET, "/flow-runs/\(runID)", token: tenant).json["output"] == "Ship it")
        let logged = try await api.send(.GET, "/external-events?connectionId=\(connectionID)&type=data-record-updated", token: tenant).json
        let fromHook = (logged["items"]?.arrayValue ?? []).filter { $0["source"] == "webhook" }
        #expect(fromHook.count == 1 && fromHook.first?["record"]?["id"] == "7" && fromHook.first?["flowRunIds"] == [.string(runID)], "\(logged)")

        // A wrong signature, a missing one, an unknown subscription: refused, and no run.
        let runsBefore = try await api.send(.GET, "/flow-runs?limit=100", token: tenant).json["items"]?.arrayValue?.count
        let body: JSONValue = ["action": "updated", "task": ["id": 8, "title": "Forged"]]
        var forged = HTTPClientRequest(url: url)
        forged.method = .POST
        forged.headers.add(name: "Content-Type", value: "application/json")
        forged.headers.add(name: "X-Provider-Signature", value: "sha256=" + String(repeating: "0", count: 64))
        forged.body = .bytes(ByteBuffer(string: body.jsonText))
        #expect(try await browser.client.execute(forged, timeout: .seconds(30)).status.code == 401)
        #expect(try await browser.send(.POST, url, json: body).status == 401)
        #expect(try await browser.send(.POST, url + "x", json: body).status == 404)
        #expect(try await browser.send(.POST, "http://127.0.0.1:\(api.port)/webhooks/external-events/nothing", json: body).status == 404)
        #expect(try await api.send(.GET, "/flow-runs?limit=100", token: tenant).json["items"]?.arrayValue?.count == runsBefore)
        // A verification challenge is echoed.
        let challenge = try await browser.send(.GET, url + "?challenge=abc123")
        #expect(challenge.status == 200 && challenge.body == "abc123", "\(challenge.status) \(challenge.body)")

        // Disabled, the instance unsubscribes, and the old address hears nothing; enabled, it subscribes again.
        let instanceID = try #require(instance.json["id"]?.stringValue)
        #expect(try await api.send(.PATCH, "/data-source-instances/\(instanceID)", token: tenant, json: ["enabled": false]).status == 200)
        #expect(try await browser.send(.GET, datasette.baseURL + "/provider/subscriptions").json == [])
        #expect(try await browser.send(.POST, url, json: body).status == 404)
        #expect(try await api.send(.PATCH, "/data-source-instances/\(instanceID)", token: tenant, json: ["enabled": true]).status == 200)
        let again = try await browser.send(.GET, datasette.baseURL + "/provider/subscriptions").json.arrayValue ?? []
        #expect(again.count == 1 && again.first?["url"]?.stringValue != url, "\(again)")
        let renewed = try #require(again.first?["url"]?.stringValue)
        #expect(try await browser.send(.GET, renewed + "?challenge=again").body == "again")

        // The connection goes: the provider is told, and deliveries stop.
        #expect(try await api.send(.DELETE, "/connections/\(connectionID)", token: tenant).status == 200)
        #expect(try await browser.send(.GET, datasette.baseURL + "/provider/subscriptions").json == [])
        #expect(try await browser.send(.POST, renewed, json: body).status == 404)
        // And its data sources pull no more: a pull asked for now stops without reading.
        let queued = try await api.send(.POST, "/data-source-instances/\(instanceID)/pull", token: tenant, json: ["mode": "full"])
        let jobID = Int(queued.json["jobId"]?.numberValue ?? 0)
        try await waitFor("the pull job to stop") {
            try await api.send(.GET, "/background-jobs/\(jobID)", token: tenant).json["status"] == "canceled"
        }
        #expect(try await api.send(.GET, "/external-event-pulls/pull-\(jobID)", token: tenant).status == 404)
    }
}
