import Foundation
import HTTPTypes
import SwitchyardAPI
import SwitchyardConsole
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore
import Testing

/// The overview, jobs, workspace settings and limits pages through the in-process API.
@Suite struct OperationsPagesTests {
    @Test func overviewShowsRolesSeenQueuesTheRunsChartAndTheLatestFailure() async throws {
        let harness = try await ConsoleHarness()
        try await harness.store.jobs.recordWorker("worker-q1", queue: .queued, busy: true)
        #expect(try await harness.store.jobs.acquireLease("orchestrator", holder: "leader-7", ttl: .seconds(60)))
        let scope = StoreScope.tenant("t-1", in: harness.workspaceKey)
        _ = try await harness.store.records.insert(
            NewRecord(kind: .flowRuns, tenantID: "t-1", document: ["status": "completed", "flowKey": "ok"]), scope: scope)
        let failed = try await harness.store.records.insert(
            NewRecord(
                kind: .flowRuns, tenantID: "t-1",
                document: ["status": "failed", "flowKey": "sync <deals>", "error": ["message": "HubSpot said 401"]]),
            scope: scope)
        _ = try await harness.store.jobs.enqueue([NewJob(kind: "demo", queue: .queued, workspaceID: harness.workspaceKey)], limits: nil)
        try await harness.run { browser in
            try await harness.signIn(&browser)
            let page = try await browser.get("/console/")
            #expect(page.status == .ok)
            #expect(page.body.contains("<td>queued-worker</td><td>queued</td><td>busy</td>"), "the worker seen, in words")
            #expect(page.body.contains("<td>orchestrator</td><td><code>leader-7</code></td>"))
            #expect(page.body.contains("<td><a href=\"/console/jobs?queue=queued\">queued</a></td><td>1</td>"), "one job waiting")
            #expect(page.body.contains("<svg class=\"chart\"") && page.body.contains("2 runs in the last 60 minutes"))
            #expect(page.body.contains("href=\"/console/flow-runs/\(failed.id)\">sync &lt;deals&gt;</a>") && page.body.contains("HubSpot said 401"))
        }
    }

    @Test func jobsListDetailCancelAndRetry() async throws {
        let harness = try await ConsoleHarness()
        let job = try await harness.store.jobs.enqueue(
            [NewJob(kind: "refresh-credentials", queue: .instant, args: ["connectionId": "c-1"], workspaceID: harness.workspaceKey)], limits: nil)[0]
        let id = job.id
        _ = try await harness.store.jobs.enqueue([NewJob(kind: "elsewhere", queue: .instant, workspaceID: "another-workspace")], limits: nil)
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let list = try await browser.get("/console/jobs?queue=instant")
            #expect(list.status == .ok && list.body.contains("href=\"/console/jobs/\(id)\"") && list.body.contains("refresh-credentials"))
            #expect(!list.body.contains("elsewhere"), "another workspace's job is not shown")
            let detail = try await browser.get("/console/jobs/\(id)")
            #expect(detail.body.contains("&quot;connectionId&quot; : &quot;c-1&quot;") && detail.body.contains("/jobs/\(id)/cancel"))
            #expect(!detail.body.contains("/jobs/\(id)/retry"), "a waiting job cannot be retried")
            let cancelled = try await browser.post("/console/jobs/\(id)/cancel", [("csrf", csrf)])
            #expect(cancelled.status == .seeOther && cancelled.location == "/console/jobs/\(id)")
            #expect(try await harness.store.jobs.job(id).state == .cancelled)
            let dead = try await browser.get("/console/jobs?queue=instant&state=discarded%2Ccancelled")
            #expect(dead.body.contains("href=\"/console/jobs/\(id)\""), "the dead letters list it")
            #expect(try await browser.post("/console/jobs/\(id)/retry", [("csrf", csrf)]).status == .seeOther)
            #expect(try await harness.store.jobs.job(id).state == .available)
            let again = try await browser.post("/console/jobs/\(id)/retry", [("csrf", csrf)])
            #expect(again.status == .conflict, "an available job cannot be retried: the API's 409 shows")
        }
    }

    @Test func workspaceSecretRevealRotateTestTokenAndPublicKeyErrors() async throws {
        let harness = try await ConsoleHarness()
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let secret = try #require(try await harness.call(.post, "/workspace/reveal-secret")["secret"]?.stringValue)
            let page = try await browser.get("/console/workspace")
            #expect(page.body.contains(harness.workspaceKey) && page.body.contains("*" + secret.suffix(4)) && !page.body.contains(secret))
            let revealed = try await browser.post("/console/workspace/reveal-secret", [("csrf", csrf)])
            #expect(revealed.status == .ok && revealed.body.contains(secret))
            #expect(!(try await browser.get("/console/workspace")).body.contains(secret), "shown on that answer only")

            let badKey = try await browser.post("/console/workspace/public-key", [("csrf", csrf), ("pem", "not a <key>")])
            #expect(badKey.status == .badRequest && badKey.body.contains("id=\"pem-error\"") && badKey.body.contains(">not a &lt;key&gt;</textarea>"))

            let minted = try await browser.post("/console/workspace/test-token", [("csrf", csrf), ("tenant", "acme"), ("minutes", "10")])
            let token = try #require(minted.body.components(separatedBy: "<code class=\"secret\">").dropFirst().first?.prefix { $0 != "<" })
            let authenticator = TokenAuthenticator(
                directory: WorkspaceDirectory(records: harness.store.records, cacheTime: .zero),
                tenants: TenantDirectory(records: harness.store.records, cacheTime: .zero), maxLifetime: .seconds(3600)
            ) { _ in false }
            let caller = try await authenticator.authenticate(String(token))
            #expect(caller.tenantKey == "acme" && caller.workspaceID == harness.workspaceKey, "the test token works on the API")
            let badToken = try await browser.post("/console/workspace/test-token", [("csrf", csrf), ("tenant", ""), ("minutes", "9999")])
            #expect(badToken.status == .badRequest && badToken.body.contains("id=\"tenant-error\"") && badToken.body.contains("id=\"minutes-error\""))

            let rotated = try await browser.post("/console/workspace/rotate-secret", [("csrf", csrf)])
            let newSecret = try #require(try await harness.call(.post, "/workspace/reveal-secret")["secret"]?.stringValue)
            #expect(newSecret != secret && rotated.body.contains(newSecret) && rotated.body.contains("accepted for 24 hours"))
        }
    }

    @Test func embeddingOriginsAreCheckedSavedOnePerLineAndShown() async throws {
        let harness = try await ConsoleHarness()
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let bad = try await browser.post("/console/workspace/embedding", [("csrf", csrf), ("origins", "https://app.example.com/path")])
            #expect(bad.status == .badRequest && bad.body.contains("id=\"origins-error\"") && bad.body.contains("no path"), "\(bad.body)")
            #expect(bad.body.contains(">https://app.example.com/path</textarea>"), "the input is kept")
            #expect(try await harness.call(.get, "/workspace")["uiAllowedOrigins"] == [], "nothing saved")
            let saved = try await browser.post(
                "/console/workspace/embedding", [("csrf", csrf), ("origins", "https://App.example.com\r\n\nhttp://127.0.0.1:8123\n")])
            #expect(saved.status == .seeOther)
            #expect(try await harness.call(.get, "/workspace")["uiAllowedOrigins"] == ["https://app.example.com", "http://127.0.0.1:8123"])
            let page = try await browser.get("/console/workspace")
            #expect(page.body.contains(">https://app.example.com\nhttp://127.0.0.1:8123</textarea>"), "\(page.body)")
        }
    }

    @Test func limitsAreValidatedSavedAndOnlyPlatformAdminsChangeThem() async throws {
        let harness = try await ConsoleHarness()
        try await harness.call(.post, "/customers", ["internalId": "acme"])
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let bad = try await browser.post(
                "/console/workspace/limits",
                [("csrf", csrf), ("runningPerConnection", "lots"), ("runningPerTenant", "5"), ("queuePerConnection", "")])
            #expect(bad.status == .badRequest && bad.body.contains("id=\"limit-runningPerConnection-error\"") && bad.body.contains("value=\"lots\""))
            #expect(try await harness.call(.get, "/workspace/limits")["limits"]?["runningPerTenant"] == .null, "nothing saved")
            let saved = try await browser.post(
                "/console/workspace/limits", [("csrf", csrf), ("runningPerConnection", "2"), ("runningPerTenant", "5"), ("queuePerConnection", "")])
            #expect(saved.status == .seeOther)
            #expect(try await harness.call(.get, "/workspace/limits")["limits"]?["runningPerTenant"] == .number(5))
            let customer = try await browser.post(
                "/console/customers/acme/limits",
                [("csrf", csrf), ("runningPerConnection", "1"), ("runningPerTenant", ""), ("queuePerConnection", "")])
            #expect(customer.status == .seeOther && customer.location == "/console/customers/acme/limits")
            let shown = try await browser.get("/console/customers/acme/limits")
            #expect(shown.body.contains("value=\"1\"") && shown.body.contains("<td>5</td>"), "own value, and the workspace's in force")

            _ = try await harness.console.accounts.add(email: "mo@example.com", name: "Mo", role: "member", password: "correct horse battery")
            var member = Browser(client: browser.client)
            _ = try await member.post("/console/login", [("email", "mo@example.com"), ("password", "correct horse battery")])
            let memberCSRF = try #require(
                (try await member.get("/console/workspace")).body.components(separatedBy: "name=\"csrf\" value=\"").dropFirst().first?.prefix {
                    $0 != "\""
                })
            let refused = try await member.post("/console/workspace/limits", [("csrf", String(memberCSRF)), ("runningPerConnection", "9")])
            #expect(refused.status == .forbidden, "workspace admins do not change limits")
            #expect(try await harness.call(.get, "/workspace/limits")["limits"]?["runningPerConnection"] == .number(2))
        }
    }
}
