import Foundation
import HTTPTypes
import _CryptoExtras
import JWTKit
import SwitchyardAPI
import SwitchyardCore
import SwitchyardStore
import Testing

/// The operations the admin console needs beyond the rest of the API: workspace settings,
/// queued-task limits, the job queue, the overview's status, and searchable lists. All are
/// admin only, and a workspace sees only its own jobs and runs.
@Suite("Console operations")
struct ConsoleOperationTests {
    @Test("Workspace settings: the secret masked, revealed and rotated (the old one still accepted); a public key validated, set and removed")
    func workspaceSettings() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            let secret = harness.workspace.secret
            let shown = try await client.send(.get, "/workspace", token: admin)
            #expect(shown.status == 200 && shown.json["key"] == .string(harness.workspace.key), "\(shown.json)")
            let masked = try #require(shown.json["secretMasked"]?.stringValue)
            #expect(masked.hasSuffix(String(secret.suffix(4))) && !masked.contains(String(secret.prefix(8))) && masked.count == secret.count)
            #expect(!shown.json.jsonText.contains(secret), "the secret is never in the settings")
            #expect(shown.json["publicKeyRegistered"] == false && shown.json["previousSecretValidUntil"] == .null)
            #expect(try await client.send(.post, "/workspace/reveal-secret", token: admin).json["secret"] == .string(secret))

            let rotated = try await client.send(.post, "/workspace/rotate-secret", token: admin)
            let newSecret = try #require(rotated.json["secret"]?.stringValue)
            #expect(rotated.status == 200 && newSecret != secret && newSecret.count == 64, "\(rotated.json)")
            let until = try #require(rotated.json["previousSecretValidUntil"]?.stringValue)
            let graceEnd = try #require(ISO8601DateFormatter.withFractions.date(from: until) ?? ISO8601DateFormatter().date(from: until))
            #expect(abs(graceEnd.timeIntervalSinceNow - 86_400) < 300, "the old secret is accepted for 24 hours: \(until)")
            #expect(try await client.send(.get, "/workspace", token: admin).status == 200, "a token signed with the old secret still works")
            let fresh = try await APIHarness.sign(
                ["iss": .string(harness.workspace.key), "isAdmin": true, "exp": .number(Date().timeIntervalSince1970 + 600)], secret: newSecret)
            let after = try await client.send(.get, "/workspace", token: fresh)
            #expect(after.json["secretMasked"]?.stringValue?.hasSuffix(String(newSecret.suffix(4))) == true)
            #expect(after.json["previousSecretValidUntil"] == .string(until))

            let key = ES256PrivateKey()
            let pem = key.publicKey.pemRepresentation
            let set = try await client.send(.put, "/workspace/public-key", token: fresh, body: ["pem": .string(pem)])
            #expect(set.status == 200 && set.json["publicKeyRegistered"] == true && set.json["publicKey"] == .string(pem), "\(set.json)")
            let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey.pemRepresentation
            #expect(try await client.send(.put, "/workspace/public-key", token: fresh, body: ["pem": .string(rsa)]).status == 200)
            for (bad, problem) in [
                ("not a key", "must be a PEM public key"), (key.pemRepresentation, "is a private key"),
                ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "is not an RSA or P-256"),
            ] {
                let refused = try await client.send(.put, "/workspace/public-key", token: fresh, body: ["pem": .string(bad)])
                #expect(refused.status == 400 && refused.json["data"]?["pem"]?.stringValue?.contains(problem) == true, "\(refused.json)")
            }
            #expect(try await client.send(.put, "/workspace/public-key", token: fresh, body: [:]).json["data"]?["pem"] == "is required")
            let removed = try await client.send(.delete, "/workspace/public-key", token: fresh)
            #expect(removed.status == 200 && removed.json["publicKeyRegistered"] == false && removed.json["publicKey"] == .null)

            let tenant = try await harness.tenantToken("acme")
            for (method, path) in [(HTTPRequest.Method.get, "/workspace"), (.post, "/workspace/reveal-secret"), (.post, "/workspace/rotate-secret")] {
                #expect(try await client.send(method, path, token: tenant).status == 403, "\(path) is admin only")
            }
        }
    }

    @Test("Limits: the workspace's and a customer's, null inheriting, with the effective values; bad values refused naming the field")
    func limits() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            #expect(try await client.send(.post, "/customers", token: admin, body: ["internalId": "acme"]).status == 201)
            let initial = try await client.send(.get, "/workspace/limits", token: admin)
            #expect(initial.status == 200 && initial.json["limitsEnabled"] == false, "\(initial.json)")
            #expect(initial.json["limits"] == ["runningPerConnection": .null, "runningPerTenant": .null, "queuePerConnection": .null])
            #expect(initial.json["effective"] == ["runningPerConnection": 1, "runningPerTenant": .null, "queuePerConnection": 10_000])

            let workspace = try await client.send(.put, "/workspace/limits", token: admin, body: ["runningPerConnection": 3, "runningPerTenant": 8])
            #expect(
                workspace.json["effective"] == ["runningPerConnection": 3, "runningPerTenant": 8, "queuePerConnection": 10_000], "\(workspace.json)")
            let customer = try await client.send(
                .put, "/customers/acme/limits", token: admin, body: ["queuePerConnection": 5, "runningPerTenant": .null])
            #expect(customer.status == 200 && customer.json["limits"]?["queuePerConnection"] == 5, "\(customer.json)")
            #expect(customer.json["effective"] == ["runningPerConnection": 3, "runningPerTenant": 8, "queuePerConnection": 5])
            let customerID = try #require(customer.json["customerId"]?.stringValue)
            let stored = try await harness.store.jobs.limits(workspaceID: harness.workspace.key, tenantID: customerID)
            #expect(stored == JobLimits(queuePerConnection: 5), "the job queue enforces what was set")
            #expect(try await client.send(.get, "/customers/acme/limits", token: admin).json == customer.json)

            for (body, field): (JSONValue, String) in [
                (["runningPerConnection": 0], "runningPerConnection"), (["queuePerConnection": 1.5], "queuePerConnection"),
                (["runningPerTenant": "4"], "runningPerTenant"), (["maxRunning": 4], "maxRunning"),
            ] {
                let refused = try await client.send(.put, "/workspace/limits", token: admin, body: body)
                #expect(refused.status == 400 && refused.json["data"]?[field] != nil, "\(body): \(refused.json)")
            }
            #expect(try await client.send(.put, "/workspace/limits", token: admin, body: [:]).json["limits"]?["runningPerConnection"] == .null)
            #expect(try await client.send(.get, "/customers/nobody/limits", token: admin).status == 404)
            #expect(try await client.send(.get, "/workspace/limits", token: try await harness.tenantToken("acme")).status == 403)
        }
    }

    @Test("Jobs: the workspace's own, newest first, by queue and state, paged; queue depths; retry a dead job, cancel a pending one")
    func jobs() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        let jobs = harness.store.jobs
        let mine = harness.workspace.key
        let ids = try await jobs.enqueue(
            [
                NewJob(kind: "noop", queue: .instant, workspaceID: mine), NewJob(kind: "noop", queue: .queued, workspaceID: mine),
                NewJob(kind: "noop", queue: .instant, workspaceID: mine), NewJob(kind: "noop", queue: .instant, workspaceID: "other-workspace"),
            ], limits: nil
        ).map(\.id)
        let held = try await jobs.fetch(queue: .instant, worker: "w", limit: 1, lease: .seconds(30), limits: nil)
        #expect(held.map(\.id) == [ids[0]])
        #expect(try await jobs.fail(ids[0], worker: "w", error: "boom", retryAt: 0, discard: true) == .discarded)
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            let all = try await client.send(.get, "/background-jobs", token: admin)
            #expect(all.status == 200, "\(all.json)")
            #expect(all.json["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [ids[2], ids[1], ids[0]].map { String($0) })
            let dead = try await client.send(.get, "/background-jobs?state=discarded,cancelled", token: admin)
            #expect(dead.json["items"]?[0]?["id"] == .string(String(ids[0])) && dead.json["items"]?.arrayCount == 1, "\(dead.json)")
            #expect(dead.json["items"]?[0]?["errors"]?[0]?["error"] == "boom" && dead.json["items"]?[0]?["state"] == "discarded")
            #expect(try await client.send(.get, "/background-jobs?queue=queued", token: admin).json["items"]?.arrayCount == 1)
            let page = try await client.send(.get, "/background-jobs?limit=2", token: admin)
            let cursor = try #require(page.json["cursor"]?.stringValue)
            let rest = try await client.send(.get, "/background-jobs?limit=2&cursor=\(cursor)", token: admin)
            #expect(rest.json["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [String(ids[0])] && rest.json["cursor"] == nil)
            for bad in ["state=finished", "queue=slow", "cursor=abc", "limit=0"] {
                let refused = try await client.send(.get, "/background-jobs?\(bad)", token: admin)
                let field = String(bad.prefix { $0 != "=" })
                #expect(refused.status == 400 && refused.json["data"]?[field] != nil, "\(bad): \(refused.json)")
            }

            let queues = try await client.send(.get, "/background-jobs/queues", token: admin)
            #expect(queues.status == 200, "\(queues.json)")
            let instant = queues.json["queues"]?.arrayValue?.first { $0["queue"] == "instant" }
            #expect(instant?["states"]?["available"] == 1 && instant?["states"]?["discarded"] == 1 && instant?["waiting"] == 1, "\(queues.json)")

            let retried = try await client.send(.post, "/background-jobs/\(ids[0])/retry", token: admin)
            #expect(retried.status == 200 && retried.json["state"] == "available" && retried.json["status"] == "pending", "\(retried.json)")
            let again = try await client.send(.post, "/background-jobs/\(ids[0])/retry", token: admin)
            #expect(again.status == 409 && again.json["data"]?["state"] == "is available", "\(again.json)")
            let cancelled = try await client.send(.post, "/background-jobs/\(ids[2])/cancel", token: admin)
            #expect(cancelled.status == 200 && cancelled.json["state"] == "cancelled", "\(cancelled.json)")
            #expect(try await client.send(.post, "/background-jobs/\(ids[2])/cancel", token: admin).status == 409)
            for path in ["/background-jobs/\(ids[3])", "/background-jobs/\(ids[3])/retry", "/background-jobs/\(ids[3])/cancel"] {
                let method: HTTPRequest.Method = path.hasSuffix("\(ids[3])") ? .get : .post
                #expect(try await client.send(method, path, token: admin).status == 404, "another workspace's job does not exist here: \(path)")
            }
            let tenant = try await harness.tenantToken("acme")
            #expect(try await client.send(.get, "/background-jobs", token: tenant).status == 403)
            #expect(try await client.send(.post, "/background-jobs/\(ids[1])/cancel", token: tenant).status == 403)
        }
        #expect(try await jobs.job(ids[3]).state == .available, "the other workspace's job was not touched")
    }

    @Test("Status: workers and the leader seen recently, queue depths, 60 buckets of runs per minute, latest failed runs newest first")
    func status() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        let records = harness.store.records
        let mine = harness.workspace.key
        try await harness.store.jobs.recordWorker("worker-q", queue: .queued, busy: true)
        #expect(try await harness.store.jobs.acquireLease("orchestrator", holder: "leader-x", ttl: .seconds(60)))
        #expect(try await harness.store.jobs.acquireLease("connection-refresh:c1", holder: "someone", ttl: .seconds(60)))
        _ = try await harness.store.jobs.enqueue([NewJob(kind: "noop", queue: .queued, workspaceID: mine)], limits: nil)
        var failed: [String] = []
        for index in 0..<12 {
            let status = index % 4 == 3 ? "completed" : "failed"
            let run = try await records.insert(
                NewRecord(kind: .flowRuns, tenantID: "t1", document: ["status": .string(status), "error": ["message": .string("boom \(index)")]]),
                scope: .tenant("t1", in: mine))
            if status == "failed" { failed.append(run.id) }
        }
        _ = try await records.insert(NewRecord(kind: .flowRuns, document: ["status": "failed"]), scope: .workspace("other-workspace"))
        let newestFailed = Array(failed.reversed().prefix(10))
        try await harness.withClient { client in
            let status = try await client.send(.get, "/status", token: try await harness.adminToken())
            #expect(status.status == 200, "\(status.json)")
            let worker = status.json["workers"]?.arrayValue?.first { $0["id"] == "worker-q" }
            #expect(worker?["role"] == "queued-worker" && worker?["busy"] == true && worker?["lastSeenAt"]?.stringValue != nil, "\(status.json)")
            #expect(status.json["leases"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["orchestrator"])
            #expect(status.json["leases"]?[0]?["holder"] == "leader-x")
            let queued = status.json["queues"]?.arrayValue?.first { $0["queue"] == "queued" }
            #expect(queued?["states"]?["available"] == 1)
            let counts = status.json["runsPerMinute"]?["counts"]?.arrayValue?.compactMap(\.numberValue) ?? []
            // The 12 runs were made moments ago: in the newest bucket, or the two newest when a
            // minute turned while they were being made.
            #expect(counts.count == 60 && counts.reduce(0, +) == 12 && counts.suffix(2).reduce(0, +) == 12, "\(counts)")
            #expect(status.json["runsPerMinute"]?["intervalSeconds"] == 60)
            let latest = status.json["latestFailedRuns"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
            #expect(latest == newestFailed, "the 10 newest failed runs of this workspace, newest first")
            #expect(try await client.send(.get, "/status", token: try await harness.tenantToken("acme")).status == 403)
        }
    }

    @Test("Lists search customers by internalId or name, read newest first, and filter flow runs by flow and customer")
    func searchAndFilters() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            for (key, name) in [("acme", "Acme Corp"), ("globex", "Globex Corporation"), ("initech", "Initech")] {
                let body: JSONValue = ["internalId": .string(key), "name": .string(name)]
                #expect(try await client.send(.post, "/customers", token: admin, body: body).status == 201)
            }
            let keys = { (query: String) async throws -> [String] in
                let items = try await client.send(.get, "/customers?\(query)", token: admin).json["items"]?.arrayValue
                return items?.compactMap { $0["internalId"]?.stringValue } ?? []
            }
            #expect(try await keys("search=CORP") == ["acme", "globex"])
            #expect(try await keys("search=init") == ["initech"])
            #expect(try await keys("order=newest") == ["initech", "globex", "acme"])
            #expect(try await keys("order=newest&search=corp&limit=1") == ["globex"])
            let refused = try await client.send(.get, "/customers?order=sideways", token: admin)
            #expect(refused.status == 400 && refused.json["data"]?["order"] != nil, "\(refused.json)")
            let long = try await client.send(.get, "/customers?search=\(String(repeating: "x", count: 201))", token: admin)
            #expect(long.status == 400 && long.json["data"]?["search"] != nil)

            let acme = try #require(try await client.send(.get, "/customers/acme", token: admin).json["id"]?.stringValue)
            let globex = try #require(try await client.send(.get, "/customers/globex", token: admin).json["id"]?.stringValue)
            var runs: [String: String] = [:]
            for (tenant, flow) in [(acme, "flow-a"), (acme, "flow-b"), (globex, "flow-a")] {
                let run = try await harness.store.records.insert(
                    NewRecord(kind: .flowRuns, tenantID: tenant, document: ["flowId": .string(flow), "status": "completed"]),
                    scope: .tenant(tenant, in: harness.workspace.key))
                runs["\(tenant == acme ? "acme" : "globex")-\(flow)"] = run.id
            }
            let ids = { (query: String) async throws -> [String] in
                try await client.send(.get, "/flow-runs?\(query)", token: admin).json["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            }
            #expect(try await ids("customerId=acme") == [runs["acme-flow-a"], runs["acme-flow-b"]].compactMap { $0 })
            #expect(try await ids("flowId=flow-a&order=newest") == [runs["globex-flow-a"], runs["acme-flow-a"]].compactMap { $0 })
            #expect(try await ids("customerId=\(globex)&flowId=flow-b").isEmpty)
            #expect(try await client.send(.get, "/flow-runs?customerId=nobody", token: admin).status == 404)
        }
    }
}

extension ISO8601DateFormatter {
    /// Reads the API's timestamps (with fractional seconds).
    static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
