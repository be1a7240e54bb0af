import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import Testing

import SwitchyardAPI
import SwitchyardCodeRunner
import SwitchyardCore
import SwitchyardEngine
import SwitchyardStore
import SwitchyardTestSupport

/// Actions end to end on PostgreSQL: one of each type runs for a connection made through the
/// real OAuth 2.0 flow (authlib), against real servers on loopback (authlib's API for the
/// connector's operations and data collection, the SaaS test server for requests to the app,
/// the sandbox for JavaScript), and every run is in `/action-run-logs`, redacted and cut to size.
@Suite(.enabled(if: PythonTestServer.available && APIHarness.postgresAvailable, "needs SWITCHYARD_TEST_PYTHON and PostgreSQL (scripts/test)"))
struct ActionRunTests {
    static let echoMethod = """
        type: rest-api-mapping
        path: /echo
        method: POST
        requestMapping:
          data: { $var: input }
        """

    static func connector(_ server: PythonTestServer) -> (spec: String, files: [String: String]) {
        let spec = """
            auth:
              type: oauth2
              authorizeUri: \(server.baseURL)/authorize
              tokenUri: \(server.baseURL)/token
              clientAuthLocation: header
              makeApiClient:
                type: mapping
                mapping:
                  baseUri: \(server.baseURL)/api
                  auth:
                    bearer: { $var: credentials.access_token }
            """
        let tasks = """
            name: Tasks
            fieldsSchema:
              type: object
              properties:
                id: { type: string }
                title: { type: string }
            methods:
              list:
                type: rest-api-mapping
                path: /echo
                method: GET
                requestMapping:
                  query:
                    cursor: { $var: input.cursor }
                responseMapping:
                  records: [{ id: "1", title: "first" }, { id: "2", title: "second" }]
                  cursor: { $var: response.data.query.cursor }
              findById:
                type: rest-api-mapping
                path: /echo
                method: GET
                requestMapping:
                  query:
                    id: { $var: input.id }
                responseMapping:
                  record:
                    id: { $var: response.data.query.id }
                    title: found
              search:
                type: rest-api-mapping
                path: /echo
                method: GET
                requestMapping:
                  query:
                    q: { $var: input.query }
                responseMapping:
                  records: [{ id: "3", title: { $var: response.data.query.q } }]
              match:
                type: mapping
                mapping:
                  record: null
              create:
                type: rest-api-mapping
                path: /echo
                method: POST
                requestMapping:
                  data: { $var: input.fields }
                responseMapping:
                  record:
                    id: new-1
                    title: { $var: response.data.json.title }
              update:
                type: rest-api-mapping
                path: /echo
                method: POST
                requestMapping:
                  data: { $var: input.fields }
                  query:
                    id: { $var: input.id }
                responseMapping:
                  record:
                    id: { $var: response.data.query.id }
                    title: { $var: response.data.json.title }
              delete:
                type: rest-api-mapping
                path: /echo
                method: POST
                requestMapping:
                  query:
                    id: { $var: input.id }
                responseMapping:
                  deleted: { $var: response.data.query.id }
            """
        let operation = """
            name: Who am I
            run:
              type: rest-api-mapping
              path: /me
              method: GET
              responseMapping:
                user: { $var: response.data.sub }
            """
        return (spec, ["data/tasks/spec.yml": tasks, "operations/whoami/spec.yml": operation])
    }

    @Test("An action of each type runs for the caller's connection and is logged; bad input is refused by its schema and logged too; logs are redacted and cut to size")
    func everyActionTypeRunsAndIsLogged() async throws {
        let oauth = try await PythonTestServer.start("oauth_server.py", arguments: ["--client", "switchyard:client-secret-value:http://127.0.0.1/oauth-callback:client_secret_basic"])
        let base = try await APIHarness.make(onPostgres: true)
        let saas = try await PythonTestServer.start("saas_server.py", arguments: ["--workspace-key", base.workspace.key, "--secret", base.workspace.secret])
        let code: (any CodeExecutor)? = ConnectorFunctionTests.sandboxAvailable ? try await ConnectorFunctionTests.runner.value : nil
        let harness = try await APIHarness.make(connections: true, sharing: base, code: code)
        let browser = OAuthConnectionTests.Browser()
        do {
            try await harness.withClient { client in
                let admin = try await harness.adminToken()
                let tenant = try await harness.tenantToken("acme")
                let (spec, files) = Self.connector(oauth)
                try await ConnectionFlowTests.install(client, admin: admin, spec: spec, files: files, parameters: ["clientId": "switchyard", "clientSecret": "client-secret-value"])
                let (done, _) = try await OAuthConnectionTests.connect(client, browser: browser, token: tenant)
                let connectionID = try #require(OAuthConnectionTests.connectionID(done))

                func action(_ key: String, _ type: String, _ config: JSONValue, extra: [String: JSONValue] = [:]) async throws {
                    var body: [String: JSONValue] = ["key": .string(key), "name": .string(key), "type": .string(type), "config": config]
                    for (name, value) in extra { body[name] = value }
                    let created = try await client.send(.post, "/actions", token: admin, body: .object(body))
                    #expect(created.status == 201, "\(key): \(created.json)")
                }
                func run(_ key: String, _ input: JSONValue, connection: Bool = true) async throws -> APIClient.Answer {
                    var body: [String: JSONValue] = ["input": input]
                    if connection { body["connectionId"] = .string(connectionID) }
                    return try await client.send(.post, "/actions/\(key)/run", token: tenant, body: .object(body))
                }

                try await action("external", "api-request-to-external-app", ["method": "POST", "path": "/echo", "query": ["q": ["$var": "input.q"]], "body": ["n": ["$var": "input.n"]]])
                try await action("operation", "connector-operation", ["operationKey": "whoami"])
                try await action("list", "list-data-records", ["collectionKey": "tasks", "cursor": ["$var": "input.cursor"]])
                try await action("find", "find-data-record-by-id", ["collectionKey": "tasks", "id": ["$var": "input.id"]])
                try await action("search", "search-data-records", ["collectionKey": "tasks", "query": ["$var": "input.q"]])
                try await action("match", "match-data-record", ["collectionKey": "tasks", "query": ["$var": "input"]])
                try await action("create", "create-data-record", ["collectionKey": "tasks", "fields": ["title": ["$var": "input.title"]]])
                try await action("update", "update-data-record", ["collectionKey": "tasks", "id": ["$var": "input.id"], "fields": ["title": ["$var": "input.title"]]])
                try await action("delete", "delete-data-record", ["collectionKey": "tasks", "id": ["$var": "input.id"]])
                try await action("find-or-create", "find-or-create-data-record", ["collectionKey": "tasks", "fields": ["title": ["$var": "input.title"]]])
                try await action("app", "api-request-to-your-app", ["method": "POST", "url": .string(saas.baseURL + "/api/contacts"), "body": ["email": ["$var": "input.email"]]])
                try await action(
                    "transform", "transform", ["output": ["greeting": ["$concat": ["Hello, ", ["$var": "input.name"]]]]],
                    extra: [
                        "inputSchema": ["type": "object", "required": ["name"], "properties": ["name": ["type": "string", "minLength": 2], "age": ["type": "integer", "minimum": 0]]],
                        "outputMapping": ["text": ["$var": "output.greeting"], "echo": ["$var": "input.name"]],
                    ]
                )
                try await action("javascript", "run-javascript", [
                    "code": """
                        module.exports = async function ({ input, externalApiClient }) {
                          const me = await externalApiClient.get('/me')
                          return { user: me.sub, doubled: input.n * 2 }
                        }
                        """
                ])

                let external = try await run("external", ["q": "héllo", "n": 3])
                #expect(external.status == 200 && external.json["output"]?["status"] == 200, "\(external.json)")
                #expect(external.json["output"]?["data"]?["query"]?["q"] == "héllo" && external.json["output"]?["data"]?["json"]?["n"] == 3, "\(external.json)")
                #expect(try await run("operation", [:]).json["output"]?["user"] == "testuser")
                let list = try await run("list", ["cursor": "c2"])
                #expect(list.json["output"]?["records"]?.arrayCount == 2 && list.json["output"]?["cursor"] == "c2", "\(list.json)")
                #expect(try await run("find", ["id": "42"]).json["output"]?["record"]?["id"] == "42")
                #expect(try await run("search", ["q": "needle"]).json["output"]?["records"]?[0]?["title"] == "needle")
                #expect(try await run("match", ["title": "nobody"]).json["output"] == ["record": .null])
                #expect(try await run("create", ["title": "new task"]).json["output"]?["record"]?["title"] == "new task")
                let updated = try await run("update", ["id": "7", "title": "renamed"])
                #expect(updated.json["output"]?["record"] == ["id": "7", "title": "renamed"], "\(updated.json)")
                #expect(try await run("delete", ["id": "9"]).json["output"]?["deleted"] == "9")
                let foc = try await run("find-or-create", ["title": "made"])
                #expect(foc.json["output"]?["created"] == true && foc.json["output"]?["record"]?["title"] == "made", "\(foc.json)")
                #expect(foc.status == 200, "\(foc.json)")
                let app = try await run("app", ["email": "ada@example.com"], connection: false)
                #expect(app.status == 200 && app.json["output"]?["data"]?["token"]?["sub"] == "acme" && app.json["output"]?["data"]?["json"]?["email"] == "ada@example.com", "\(app.json)")
                let transformed = try await run("transform", ["name": "Ada"], connection: false)
                #expect(transformed.json["output"] == ["text": "Hello, Ada", "echo": "Ada"], "\(transformed.json)")
                if code != nil {
                    let js = try await run("javascript", ["n": 21])
                    #expect(js.status == 200 && js.json["output"] == ["user": "testuser", "doubled": 42], "\(js.json)")
                }

                // Input the schema refuses: every problem, by path; logged as an error.
                let refused = try await run("transform", ["name": "A", "age": -1.5], connection: false)
                #expect(refused.status == 400 && refused.json["data"]?["name"] != nil && refused.json["data"]?["age"] != nil, "\(refused.json)")
                let refusedLog = try #require(refused.json["data"]?["actionRunLogId"]?.stringValue)
                let errorLog = try await client.send(.get, "/action-run-logs/\(refusedLog)", token: tenant)
                #expect(errorLog.json["status"] == "error" && errorLog.json["error"]?["key"] == "bad_request", "\(errorLog.json)")
                // A connection-type action without a connection says so.
                let noConnection = try await run("external", [:], connection: false)
                #expect(noConnection.status == 400 && noConnection.json["data"]?["connectionId"] != nil, "\(noConnection.json)")
                // An upstream error is typed.
                try await action("missing", "api-request-to-external-app", ["path": "/nope"])
                let missing = try await run("missing", [:])
                #expect(missing.status == 401 || missing.status == 404, "\(missing.json)")

                // Logs: one per run, the caller's own, redacted and cut to size.
                let stored = try await harness.store.records.get(.connections, id: connectionID, scope: .workspace(harness.workspace.key))
                let accessToken = try #require(stored.secret?["credentials"]?["access_token"]?.stringValue)
                let secretRun = try await run("transform", ["name": .string("token " + accessToken), "password": "hunter2-secret"], connection: true)
                #expect(secretRun.status == 200, "\(secretRun.json)")
                let secretLog = try await client.send(.get, "/action-run-logs/\(secretRun.json["actionRunLogId"]?.stringValue ?? "")", token: tenant)
                #expect(!secretLog.json.jsonText.contains(accessToken) && !secretLog.json.jsonText.contains("hunter2-secret"), "\(secretLog.json)")
                #expect(secretLog.json["input"]?["password"] == "[redacted]" && secretLog.json["connectionId"] == .string(connectionID))
                let big = try await run("transform", ["name": .string(String(repeating: "x", count: 100_000))], connection: false)
                #expect(big.status == 200)
                let bigLog = try await client.send(.get, "/action-run-logs/\(big.json["actionRunLogId"]?.stringValue ?? "")", token: tenant)
                #expect(bigLog.json["input"]?["truncated"] == true && bigLog.json["output"]?["truncated"] == true, "\(bigLog.json.jsonText.prefix(300))")

                let logs = try await client.send(.get, "/action-run-logs?limit=100", token: tenant)
                let expected = code == nil ? 17 : 18
                #expect(logs.json["items"]?.arrayCount == expected, "\(logs.json["items"]?.arrayCount ?? -1) logs")
                let other = try await harness.tenantToken("globex")
                #expect(try await client.send(.get, "/action-run-logs", token: other).json["items"]?.arrayCount == 0, "another tenant sees none")
                #expect(try await client.send(.get, "/action-run-logs/\(refusedLog)", token: other).status == 404)
                let byAction = try await client.send(.get, "/action-run-logs?actionId=\(errorLog.json["actionId"]?.stringValue ?? "")", token: tenant)
                #expect(byAction.json["items"]?.arrayCount == 4, "transform ran 4 times: \(byAction.json["items"]?.arrayCount ?? -1)")
            }
        } catch {
            Issue.record("\(error)\nOAuth server log:\n\(oauth.errorTail)\nSaaS server log:\n\(saas.errorTail)")
        }
        await harness.tearDown(browser: browser, servers: [oauth, saas], sharing: base)
    }
}
