import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The console role on the real binary: the start line and the setup code in the log, a base
/// path from the seed's `BASE_PATH`, and accounts made with `switchyard console users`.
@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the built switchyard binary"))
struct ConsoleProcessTests {
    /// A client that does not follow redirects, so the tests see each `Location` and cookie.
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    static func send(_ port: Int, _ method: HTTPMethod, _ path: String, cookie: String? = nil, form: String? = nil) async throws
        -> (status: Int, headers: HTTPHeaders, body: String)
    {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        let response = try await client.execute(request, timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers, String(buffer: body))
    }

    /// An `api` process on a data directory, for a console process to call (`ENGINE_API_URI`).
    static func api(_ directory: String) async throws -> (process: SwitchyardProcess, uri: String) {
        let api = try SwitchyardProcess(["serve", "--role", "api"], environment: ["DATA_DIR": directory])
        let port = try await api.waitUntilHealthy()
        return (api, "http://127.0.0.1:\(port)")
    }

    /// The `name=value` part of a response's session cookie.
    static func cookie(_ headers: HTTPHeaders) throws -> String {
        let header = try #require(headers["Set-Cookie"].first)
        return String(header.prefix { $0 != ";" })
    }

    @Test func consoleAloneUnderTheSeedBasePathPrintsItsURLAndASetupCodeThatCreatesTheAdmin() async throws {
        let directory = try await SwitchyardProcess.migratedDataDirectory()
        let api = try await Self.api(directory)
        let console = try SwitchyardProcess(
            ["serve", "--role", "console"], environment: ["DATA_DIR": directory, "BASE_PATH": "/ops/", "ENGINE_API_URI": api.uri])
        let port = try await console.waitUntilHealthy()
        try await console.waitForOutput("Console at http://127.0.0.1:\(port)/ops/")
        try await console.waitForOutput("enter the setup code ")
        let code = try #require(console.output.components(separatedBy: "enter the setup code ").last?.prefix(14)).description
        #expect(code.count == 14)

        let wrong = try await Self.send(
            port, .POST, "/ops/setup", form: "code=AAAA-BBBB-CCCC&email=a%40example.com&name=Ada&password=long+enough+password")
        #expect(wrong.status == 403)
        let created = try await Self.send(
            port, .POST, "/ops/setup", form: "code=\(code)&email=a%40example.com&name=Ada&password=long+enough+password")
        #expect(created.status == 303 && created.headers["Location"].first == "/ops/")
        let overview = try await Self.send(port, .GET, "/ops/", cookie: try Self.cookie(created.headers))
        #expect(overview.status == 200 && overview.body.contains("a@example.com"))
        #expect(try await Self.send(port, .GET, "/ops/setup").status == 404)
        #expect(try await console.stop() == 0)
        #expect(try await api.process.stop() == 0)
    }

    @Test func allInOnePrintsTheConsoleURLAndTheSetupCode() async throws {
        let process = try SwitchyardProcess(["serve"])
        let port = try await process.waitUntilHealthy()
        try await process.waitForOutput("Console at http://127.0.0.1:\(port)/console/")
        try await process.waitForOutput("/console/setup and enter the setup code ")
        let setup = try await Self.send(port, .GET, "/console/setup")
        #expect(setup.status == 200 && setup.body.contains("action=\"/console/setup\""))
        #expect(try await process.stop() == 0)
    }

    @Test func usersMadeWithTheCommandLineSignIn() async throws {
        let directory = try await SwitchyardProcess.migratedDataDirectory()
        let added = try await SwitchyardProcess.run(
            ["console", "users", "add", "--email", "Cli@Example.com", "--name", "Cli User", "--role", "member"], environment: ["DATA_DIR": directory])
        #expect(added.status == 0, "\(added.output)")
        #expect(added.output.contains("added console user cli@example.com (member)"))
        let password = try #require(added.output.components(separatedBy: "password: ").last?.prefix { !$0.isNewline }).description
        let duplicate = try await SwitchyardProcess.run(
            ["console", "users", "add", "--email", "cli@example.com", "--name", "Again"], environment: ["DATA_DIR": directory])
        #expect(duplicate.status == 1 && duplicate.output.contains("already exists"))

        let api = try await Self.api(directory)
        let console = try SwitchyardProcess(["serve", "--role", "console"], environment: ["DATA_DIR": directory, "ENGINE_API_URI": api.uri])
        let port = try await console.waitUntilHealthy()
        try await console.waitForOutput("Console at http://127.0.0.1:\(port)/console/")
        let signedIn = try await Self.send(port, .POST, "/console/login", form: "email=cli%40example.com&password=\(password)")
        #expect(signedIn.status == 303 && signedIn.headers["Location"].first == "/console/")
        let overview = try await Self.send(port, .GET, "/console/", cookie: try Self.cookie(signedIn.headers))
        #expect(overview.status == 200 && overview.body.contains("cli@example.com") && overview.body.contains("workspace admin"))
        #expect(try await Self.send(port, .GET, "/console/setup").status == 404, "an account exists: no setup page")
        #expect(!console.output.contains("setup code"), "no setup code is printed once an account exists")

        let reset = try await SwitchyardProcess.run(
            ["console", "users", "reset-password", "--email", "cli@example.com"], environment: ["DATA_DIR": directory])
        #expect(reset.status == 0, "\(reset.output)")
        let old = try await Self.send(port, .POST, "/console/login", form: "email=cli%40example.com&password=\(password)")
        #expect(old.status == 401)
        let chosen = try await SwitchyardProcess.run(
            ["console", "users", "reset-password", "--email", "cli@example.com", "--password-stdin"], environment: ["DATA_DIR": directory],
            input: "a password from stdin\n")
        #expect(chosen.status == 0 && !chosen.output.contains("password: "), "\(chosen.output)")
        let fromStdin = try await Self.send(port, .POST, "/console/login", form: "email=cli%40example.com&password=a+password+from+stdin")
        #expect(fromStdin.status == 303)
        let short = try await SwitchyardProcess.run(
            ["console", "users", "reset-password", "--email", "cli@example.com", "--password-stdin"], environment: ["DATA_DIR": directory],
            input: "short\n")
        #expect(short.status != 0 && short.output.contains("password must be at least 12 characters"))
        let removed = try await SwitchyardProcess.run(
            ["console", "users", "remove", "--email", "cli@example.com"], environment: ["DATA_DIR": directory])
        #expect(removed.status == 0 && removed.output.contains("removed console user cli@example.com"))
        let gone = try await Self.send(port, .GET, "/console/", cookie: try Self.cookie(signedIn.headers))
        #expect(gone.status == 303, "a removed user's session ends at once")
        let unknown = try await SwitchyardProcess.run(
            ["console", "users", "remove", "--email", "nobody@example.com"], environment: ["DATA_DIR": directory])
        #expect(unknown.status == 1 && unknown.output.contains("no console user has email nobody@example.com"))
        #expect(try await console.stop() == 0)
        #expect(try await api.process.stop() == 0)
    }
}
