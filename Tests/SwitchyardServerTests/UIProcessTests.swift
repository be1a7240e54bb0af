import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The `ui` role on the real binary: the SDK at `/sdk.js` (any origin may load it; cached by
/// version), a workspace's shell framed only by its `uiAllowedOrigins`, and, when the ui runs
/// without the api role, its forwarding of the pages' API calls to `ENGINE_API_URI`.
@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the built switchyard binary"))
struct UIProcessTests {
    /// Sends a request and reads the answer.
    static func send(
        _ port: Int, _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], json: String? = nil
    ) async throws -> (status: Int, headers: HTTPHeaders, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await ConsoleProcessTests.client.execute(request, timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 4 << 20)
        return (Int(response.status.code), response.headers, String(buffer: body))
    }

    /// The data directory's workspace key, and an admin and a tenant token for it.
    static func credentials(_ directory: String) async throws -> (key: String, admin: String, tenant: String) {
        let workspace = try await SwitchyardProcess.run(["workspace", "credentials"], environment: ["DATA_DIR": directory])
        let line = try #require(workspace.output.split(separator: "\n").first { $0.hasPrefix("WORKSPACE_KEY=") }, "\(workspace.output)")
        let admin = try await SwitchyardProcess.run(["token", "--admin"], environment: ["DATA_DIR": directory])
        let tenant = try await SwitchyardProcess.run(["token", "--tenant", "acme"], environment: ["DATA_DIR": directory])
        func last(_ output: String) -> String { output.split(separator: "\n").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "" }
        return (String(line.dropFirst("WORKSPACE_KEY=".count)), last(admin.output), last(tenant.output))
    }

    @Test func allInOneServesTheSDKToAnyOriginAndTheShellFramedOnlyByTheAllowedOrigins() async throws {
        let directory = try await SwitchyardProcess.migratedDataDirectory()
        let (key, admin, _) = try await Self.credentials(directory)
        let process = try SwitchyardProcess(["serve"], environment: ["DATA_DIR": directory])
        let port = try await process.waitUntilHealthy()
        try await process.waitForOutput("End-user UI at http://127.0.0.1:\(port)/ui/, SDK at http://127.0.0.1:\(port)/sdk.js")

        let sdk = try await Self.send(port, .GET, "/sdk.js")
        #expect(sdk.status == 200 && sdk.headers["Access-Control-Allow-Origin"].first == "*")
        #expect(sdk.headers["Content-Type"].first?.hasPrefix("text/javascript") == true && sdk.body.contains("Switchyard"))
        let etag = try #require(sdk.headers["ETag"].first)
        #expect(try await Self.send(port, .GET, "/sdk.js", headers: [("If-None-Match", etag)]).status == 304)
        let versioned = try await Self.send(port, .GET, "/sdk-0.1.0.js")
        #expect(versioned.body == sdk.body && versioned.headers["Cache-Control"].first?.contains("immutable") == true)

        let shell = try await Self.send(port, .GET, "/ui/embed/\(key)")
        #expect(shell.status == 200 && shell.body.contains("\"workspaceKey\":\"\(key)\"") && shell.body.contains("\"apiBase\":\"\""))
        let policy = try #require(shell.headers["Content-Security-Policy"].first)
        #expect(policy.contains("frame-ancestors 'none'") && policy.contains("connect-src 'self'") && !policy.contains("unsafe-inline"))
        #expect(shell.headers["Referrer-Policy"].first == "no-referrer" && shell.headers["Cache-Control"].first == "no-store")
        #expect(shell.body.contains("<noscript><p>These integration screens need JavaScript."), "with JavaScript off the page says why it is empty")

        let allowed = try await Self.send(
            port, .PATCH, "/workspace", headers: [("Authorization", "Bearer \(admin)")], json: #"{"uiAllowedOrigins": ["http://127.0.0.1:8123"]}"#)
        #expect(allowed.status == 200, "\(allowed.body)")
        let framed = try await Self.send(port, .GET, "/ui/embed/\(key)")
        #expect(framed.headers["Content-Security-Policy"].first?.contains("frame-ancestors http://127.0.0.1:8123") == true)
        #expect(framed.body.contains("\"allowedOrigins\":[\"http://127.0.0.1:8123\"]"), "\(framed.body)")

        let script = try #require(framed.body.firstMatch(of: /assets\/app\.js\?v=([0-9a-f]+)/)?.1)
        let app = try await Self.send(port, .GET, "/ui/assets/app.js?v=\(script)")
        #expect(app.status == 200 && app.headers["Cache-Control"].first?.contains("immutable") == true)
        let style = try #require(framed.body.firstMatch(of: /assets\/app\.css\?v=([0-9a-f]+)/)?.1)
        let css = try await Self.send(port, .GET, "/ui/assets/app.css?v=\(style)")
        let weight = framed.body.utf8.count + app.body.utf8.count + css.body.utf8.count
        #expect(weight <= 60 * 1024, "the page weighs \(weight) bytes (shell with its strings, script, style sheet); the budget is 60 KB")
        #expect(try await Self.send(port, .GET, "/ui/assets/app.js").headers["Cache-Control"].first == "public, max-age=300")
        #expect(try await Self.send(port, .GET, "/ui/assets/secrets.txt").status == 404)
        let unknown = try await Self.send(port, .GET, "/ui/embed/no-such-workspace")
        #expect(unknown.status == 404 && unknown.body.contains("\"unknownWorkspace\":true"), "the page says so, and tells the SDK")
        #expect(unknown.headers["Content-Security-Policy"].first?.contains("frame-ancestors *") == true)
        let head = try await Self.send(port, .HEAD, "/sdk.js")
        #expect(head.status == 200 && head.body.isEmpty && head.headers["ETag"].first == etag)
        let done = try await Self.send(port, .GET, "/ui/done?connectionId=abc")
        #expect(done.status == 200 && done.headers["Content-Security-Policy"].first?.contains("frame-ancestors 'none'") == true)
        #expect(try await process.stop() == 0)
    }

    @Test func uiAloneUnderTheSeedBasePathNeedsNoDatabaseAndForwardsTheAPICallsToTheEngine() async throws {
        let directory = try await SwitchyardProcess.migratedDataDirectory()
        let (key, admin, tenant) = try await Self.credentials(directory)
        let api = try await ConsoleProcessTests.api(directory)
        let elsewhere = try TestEnvironment.temporaryDirectory()
        let ui = try SwitchyardProcess(
            ["serve", "--role", "ui"], environment: ["DATA_DIR": elsewhere, "BASE_PATH": "/portal/", "NEXT_PUBLIC_ENGINE_URI": api.uri])
        let port = try await ui.waitUntilHealthy()
        try await ui.waitForOutput("End-user UI at http://127.0.0.1:\(port)/portal/")
        #expect(!FileManager.default.fileExists(atPath: elsewhere + "/switchyard.sqlite"), "the ui alone opens no database")

        let shell = try await Self.send(port, .GET, "/portal/embed/\(key)")
        #expect(shell.status == 200 && shell.body.contains("\"apiBase\":\"/portal/api\""), "\(shell.body)")
        #expect(shell.headers["Content-Security-Policy"].first?.contains("frame-ancestors 'none'") == true)
        #expect(try await Self.send(port, .GET, "/portal/embed/no-such-workspace").status == 404)
        let allowed = try await Self.send(
            api.uri.split(separator: ":").last.flatMap { Int($0) } ?? 0, .PATCH, "/workspace", headers: [("Authorization", "Bearer \(admin)")],
            json: #"{"uiAllowedOrigins": ["https://app.example.com"]}"#)
        #expect(allowed.status == 200, "\(allowed.body)")
        let deadline = ContinuousClock.now + .seconds(15)
        var policy = ""
        while ContinuousClock.now < deadline, !policy.contains("frame-ancestors https://app.example.com") {
            policy = try await Self.send(port, .GET, "/portal/embed/\(key)").headers["Content-Security-Policy"].first ?? ""
            if !policy.contains("https://app.example.com") { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(policy.contains("frame-ancestors https://app.example.com"), "a change of origins reaches the ui within its cache time: \(policy)")
        let listed = try await Self.send(port, .GET, "/portal/api/integrations?limit=5", headers: [("Authorization", "Bearer \(tenant)")])
        #expect(listed.status == 200 && listed.body.contains("\"items\""), "\(listed.body)")
        let anonymous = try await Self.send(port, .GET, "/portal/api/connections")
        #expect(anonymous.status == 401 && anonymous.body.contains("not_authenticated"), "\(anonymous.body)")
        let form = try await Self.send(
            port, .POST, "/portal/api/connect", headers: [("Authorization", "Bearer \(tenant)"), ("Accept", "application/json")],
            json: #"{"integrationKey": "missing"}"#)
        #expect(form.status == 404 && form.headers["Content-Type"].first?.hasPrefix("application/json") == true, "\(form.body)")
        #expect(try await ui.stop() == 0)
        #expect(try await api.process.stop() == 0)
        #expect(!ui.output.contains(tenant) && !api.process.output.contains(tenant), "the tenant token is in no log line")
    }

    @Test func uiAloneWithoutAnEngineAndStarInProductionAreRefused() async throws {
        let alone = try await SwitchyardProcess.run(["serve", "--role", "ui"])
        #expect(alone.status == 78 && alone.output.contains("ENGINE_API_URI"), "\(alone.output)")

        let secrets = [
            "SWITCHYARD_ENV": "production", "SECRET": String(repeating: "s", count: 40), "ENCRYPTION_SECRET": String(repeating: "e", count: 40),
        ]
        let directory = try await SwitchyardProcess.migratedDataDirectory(environment: secrets)
        let admin = try await SwitchyardProcess.run(["token", "--admin"], environment: secrets.merging(["DATA_DIR": directory]) { $1 })
        let token = admin.output.split(separator: "\n").last.map(String.init) ?? ""
        let process = try SwitchyardProcess(["serve", "--role", "api,ui"], environment: secrets.merging(["DATA_DIR": directory]) { $1 })
        let port = try await process.waitUntilHealthy()
        let star = try await Self.send(
            port, .PATCH, "/workspace", headers: [("Authorization", "Bearer \(token)")], json: #"{"uiAllowedOrigins": ["*"]}"#)
        #expect(star.status == 400 && star.body.contains("not allowed in production"), "\(star.body)")
        #expect(try await process.stop() == 0)
    }
}
