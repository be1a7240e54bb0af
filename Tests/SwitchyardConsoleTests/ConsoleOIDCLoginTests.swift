import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SwitchyardConsole
import SwitchyardCore
import SwitchyardStore
import SwitchyardTestSupport
import Testing

@testable import SwitchyardServer

/// OpenID Connect sign-in to the console against a real OpenID provider on loopback
/// (`Tests/Servers/oidc_server.py`), driven by a browser that follows the redirects by hand.
@Suite(.enabled(if: PythonTestServer.available, "needs SWITCHYARD_TEST_PYTHON (scripts/test)"))
struct ConsoleOIDCLoginTests {
    /// Checks a refusal: a 4xx console page with the words, no session cookie, no session.
    private func expectRefusal(_ page: Page, _ browser: OIDCBrowser, _ world: OIDCTestWorld, status: HTTPResponse.Status, says words: String)
        async throws
    {
        #expect(page.status == status, "status \(page.status), body: \(page.body.prefix(2000))")
        #expect(page.body.contains(words), "the page says \"\(words)\": \(page.body.prefix(2000))")
        #expect(page.body.contains("Nothing was changed"))
        #expect(page.body.contains("href=\"/console/login\""), "the page links to the sign-in page")
        #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
        #expect(page.headers[HTTPField.Name("Content-Security-Policy")!] != nil, "the console's security headers")
        #expect(!browser.setCookies.contains { $0.hasPrefix("switchyard_console=") }, "no session cookie: \(browser.setCookies)")
        #expect(browser.cookies["switchyard_console"] == nil)
        #expect(try await world.sessionCount() == 0, "no session was started")
    }

    @Test func allowedDomainSignsInAsANewViewerAndTheOverviewShowsThem() async throws {
        let world = try await OIDCTestWorld.start(email: "ada@example.com")
        try await world.run { newBrowser in
            var browser = newBrowser()
            let login = try await browser.get("/console/login")
            #expect(login.body.contains("Sign in with Test provider") && login.body.contains("action=\"/console/login\""))

            let start = try await browser.get("/console/login/oidc")
            #expect(start.status == .seeOther)
            let authorize = try #require(start.location.flatMap(URLComponents.init(string:)))
            let query = Dictionary(uniqueKeysWithValues: (authorize.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            #expect(authorize.path == "/authorize" && query["response_type"] == "code" && query["client_id"] == OIDCTestWorld.clientID)
            #expect(query["redirect_uri"] == OIDCTestWorld.redirectURI && query["scope"]?.split(separator: " ").contains("openid") == true)
            #expect(query["code_challenge_method"] == "S256" && query["code_challenge"]?.count == 43)
            #expect(query["state"]?.count == 43 && query["nonce"]?.count == 43 && query["state"] != query["nonce"])
            let binding = try #require(start.setCookie)
            #expect(binding.hasPrefix("switchyard_console_oidc=") && binding.contains("; HttpOnly") && binding.contains("; SameSite=Lax"))
            #expect(binding.contains("Path=/console/login/oidc") && binding.contains("Max-Age=600"))

            let end = try await browser.follow(try #require(start.location))
            #expect(end.status == .ok, "\(end.status): \(end.body.prefix(2000))")
            let session = try #require(browser.setCookies.first { $0.hasPrefix("switchyard_console=") })
            #expect(session.contains("; HttpOnly") && session.contains("; SameSite=Lax") && session.contains("Path=/console"))
            #expect(browser.cookies["switchyard_console_oidc"] == nil, "the binding cookie is cleared")
            #expect(browser.visited.last == "/console/")
            #expect(end.body.contains("ada@example.com") && end.body.contains("Ada Lovelace") && end.body.contains(", viewer."))

            let account = try #require(try await world.harness.console.accounts.find(email: "ada@example.com"))
            #expect(account.role == "viewer" && account.name == "Ada Lovelace")
            let scope = StoreScope.workspace(world.harness.workspaceKey)
            let record = try await world.harness.store.records.get(.platformUsers, id: account.id, scope: scope)
            #expect(record.secret?["passwordHash"] == nil, "an account made by OpenID Connect has no password")
            #expect(try await world.sessionCount() == 1)
            let pending = try await world.harness.store.records.all(
                .consoleOIDCLogins, scope: .workspace(world.harness.workspaceKey), filter: RecordFilter())
            #expect(pending.isEmpty, "the pending sign-in is gone once used")
        }
        #expect(world.logs.text.contains("console sign-in through OpenID Connect"))
    }

    @Test func invitationSignsInWithItsRoleWhateverTheDomain() async throws {
        let world = try await OIDCTestWorld.start(email: "Bob@Partner.org", allowedDomains: [])
        try await world.harness.console.accounts.addWithoutPassword(email: "bob@partner.org", name: "Bob Partner", role: "member")
        try await world.run { newBrowser in
            var browser = newBrowser()
            let end = try await browser.signIn()
            #expect(end.status == .ok && browser.visited.last == "/console/", "\(end.status): \(end.body.prefix(2000))")
            #expect(end.body.contains("bob@partner.org") && end.body.contains("Bob Partner") && end.body.contains("workspace admin"))

            // The invitation has no password: the built-in form cannot open it.
            let other = newBrowser()
            let form = try await other.console.executeRequest(
                uri: "/console/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: .init(string: "email=bob%40partner.org&password=anything-at-all-12"))
            #expect(form.status == .unauthorized)
        }
        let accounts = try await world.harness.store.records.all(
            .platformUsers, scope: .workspace(world.harness.workspaceKey), filter: RecordFilter())
        #expect(accounts.count == 2, "no second account for the invited email")
    }

    @Test func emailOutsideTheAllowedDomainsIsRefusedAndNothingIsCreated() async throws {
        let world = try await OIDCTestWorld.start(email: "eve@elsewhere.test", allowedDomains: ["example.com"])
        try await world.run { newBrowser in
            var browser = newBrowser()
            let end = try await browser.signIn()
            try await expectRefusal(end, browser, world, status: .forbidden, says: "No access to this console")
            #expect(end.body.contains("eve@elsewhere.test") && end.body.contains("invite you"))
            #expect(try await world.harness.console.accounts.find(email: "eve@elsewhere.test") == nil)
        }
        #expect(world.logs.text.contains("CONSOLE_ALLOWED_EMAIL_DOMAINS"))
    }

    @Test func replayedCallbackIsRefused() async throws {
        let world = try await OIDCTestWorld.start()
        try await world.run { newBrowser in
            var browser = newBrowser()
            let end = try await browser.signIn()
            #expect(end.status == .ok && browser.visited.last == "/console/")
            let callback = try #require(browser.callbackURL)
            #expect(try await world.sessionCount() == 1)

            // The same browser (it still has its session) and a fresh one replay the answer.
            let again = try await browser.get(callback)
            #expect(again.status == .badRequest && again.body.contains("already used"))
            #expect(again.setCookie?.hasPrefix("switchyard_console=") != true)
            var attacker = newBrowser()
            let replay = try await attacker.get(callback)
            #expect(try await world.sessionCount() == 1, "the replay started no session")
            #expect(replay.status == .badRequest && replay.body.contains("unknown or was already used"))
            #expect(!attacker.setCookies.contains { $0.hasPrefix("switchyard_console=") })
            #expect(try await world.stats()["token"] == 1, "a replayed code never reaches the token endpoint")
        }
    }

    @Test func answerInAnotherBrowserIsRefused() async throws {
        let world = try await OIDCTestWorld.start()
        try await world.run { newBrowser in
            var starter = newBrowser()
            let start = try await starter.get("/console/login/oidc")
            let atProvider = try await starter.get(try #require(start.location))
            let callback = try #require(atProvider.location)
            #expect(callback.hasPrefix(OIDCTestWorld.redirectURI + "?"))

            var other = newBrowser()
            let page = try await other.get(callback)
            try await expectRefusal(page, other, world, status: .badRequest, says: "started in another browser")
            // The state is used up: the browser that started cannot finish either.
            let late = try await starter.get(callback)
            try await expectRefusal(late, starter, world, status: .badRequest, says: "already used")
        }
    }

    @Test(arguments: [
        ("tampered_signature", "signature"), ("wrong_nonce", "nonce"), ("wrong_audience", "audience"), ("extra_audience", "audience"),
        ("expired", "expired"), ("wrong_issuer", "iss is"), ("unknown_key", "key-never-published"),
    ])
    func badIDTokenIsRefused(mode: String, cause: String) async throws {
        let world = try await OIDCTestWorld.start()
        try await world.control(["id_token": mode])
        try await world.run { newBrowser in
            var browser = newBrowser()
            let end = try await browser.signIn()
            try await expectRefusal(end, browser, world, status: .forbidden, says: "did not pass the console")
            #expect(try await world.harness.console.accounts.find(email: "ada@example.com") == nil)
        }
        #expect(world.logs.text.contains("ID token refused") && world.logs.text.contains(cause), "the log names the cause:\n\(world.logs.text)")
    }

    @Test func unverifiedOrMissingEmailIsRefused() async throws {
        let world = try await OIDCTestWorld.start()
        try await world.control(["email_verified": false])
        try await world.run { newBrowser in
            var browser = newBrowser()
            try await expectRefusal(try await browser.signIn(), browser, world, status: .forbidden, says: "did not confirm an email address")
            try await world.control(["email_verified": true, "id_token": "no_email"])
            var second = newBrowser()
            try await expectRefusal(try await second.signIn(), second, world, status: .forbidden, says: "did not confirm an email address")
        }
        #expect(world.logs.text.contains("email_verified is false") && world.logs.text.contains("no email claim"))
    }

    @Test func providerErrorIsRefused() async throws {
        let world = try await OIDCTestWorld.start()
        try await world.control(["authorize": "access_denied"])
        try await world.run { newBrowser in
            var browser = newBrowser()
            let end = try await browser.signIn()
            try await expectRefusal(end, browser, world, status: .unauthorized, says: "did not sign you in (access_denied)")
            #expect(!end.body.contains("the user declined"), "the provider's free text is logged, not shown")
            #expect(try await world.stats()["token"] == 0)
        }
    }

    @Test func rotatedKeyIsFetchedAgainOnce() async throws {
        let world = try await OIDCTestWorld.start()
        try await world.run { newBrowser in
            var first = newBrowser()
            #expect(try await first.signIn().status == .ok)
            try await world.control(["id_token": "rotated_key"])
            var second = newBrowser()
            let end = try await second.signIn()
            #expect(end.status == .ok, "a new key id makes the console fetch the keys again: \(end.body.prefix(1000))")
            let stats = try await world.stats()
            #expect(stats["jwks"] == 2 && stats["discovery"] == 1, "discovery cached, keys fetched again once: \(stats)")
        }
    }

    @Test(arguments: ["500", "wrong_issuer", "not_json"])
    func failingDiscoveryIsRefusedAndTheFormStays(mode: String) async throws {
        let world = try await OIDCTestWorld.start()
        try await world.control(["discovery": mode])
        try await world.run { newBrowser in
            var browser = newBrowser()
            let end = try await browser.signIn()
            try await expectRefusal(end, browser, world, status: .badRequest, says: "could not talk to the sign-in provider")
            #expect(browser.visited == ["/console/login", "/console/login/oidc"], "the browser never leaves the console")
            let login = try await browser.get("/console/login")
            #expect(login.status == .ok && login.body.contains("action=\"/console/login\""), "the built-in form stays")
            let pending = try await world.harness.store.records.all(
                .consoleOIDCLogins, scope: .workspace(world.harness.workspaceKey), filter: RecordFilter())
            #expect(pending.isEmpty, "nothing is stored when the provider is unavailable")
        }
        #expect(world.logs.text.contains("discovery document"), "the log names the cause:\n\(world.logs.text)")
    }

    @Test func unreachableIssuerIsRefused() async throws {
        // A port nothing listens on: the provider's own, once it is stopped.
        let gone = try await PythonTestServer.start("oidc_server.py")
        let issuer = gone.baseURL
        await gone.stop()
        let world = try await OIDCTestWorld.start(issuer: issuer)
        try await world.run { newBrowser in
            var browser = newBrowser()
            let end = try await browser.signIn()
            try await expectRefusal(end, browser, world, status: .badRequest, says: "could not talk to the sign-in provider")
        }
    }

    @Test func signInWorksAcrossConsoleProcesses() async throws {
        let world = try await OIDCTestWorld.start()
        // A second console over the same database finishes what the first one started.
        let second = try ConsoleHarness(sharing: world.harness)
        try await world.run { newBrowser in
            var browser = newBrowser()
            let start = try await browser.get("/console/login/oidc")
            let location = try #require(start.location)
            let callback = try #require(try await browser.get(location).location)
            let path = String(callback.dropFirst(OIDCTestWorld.origin.count))
            let cookie = try #require(browser.cookies["switchyard_console_oidc"])
            try await second.run(logger: world.logs.logger) { client in
                let finished = try await client.executeRequest(
                    uri: path, method: .get, headers: [.cookie: "switchyard_console_oidc=\(cookie)"], body: nil)
                #expect(finished.status == .seeOther && finished.headers[.location] == "/console/")
                #expect(finished.headers[values: .setCookie].contains { $0.hasPrefix("switchyard_console=") })
            }
            // The first console refuses the same answer now.
            let replay = try await browser.get(callback)
            #expect(replay.status == .badRequest && replay.body.contains("already used"))
        }
    }

    @Test func cookiesAreSecureWhenTheConsoleIsPublicOverHTTPS() async throws {
        let world = try await OIDCTestWorld.start(secureCookies: true)
        try await world.run { newBrowser in
            var browser = newBrowser()
            let end = try await browser.signIn()
            #expect(end.status == .ok)
            let binding = browser.setCookies.filter { $0.hasPrefix("switchyard_console_oidc=") }
            let session = browser.setCookies.filter { $0.hasPrefix("switchyard_console=") }
            #expect(binding.count == 2 && session.count == 1, "set, then cleared; one session: \(browser.setCookies)")
            #expect((binding + session).allSatisfy { $0.hasSuffix("; Secure") }, "\(browser.setCookies)")
        }
    }

    @Test func floodOfStartsFromOneAddressIsRefused() async throws {
        let world = try await OIDCTestWorld.start()
        try await world.run { newBrowser in
            var browser = newBrowser()
            for _ in 0..<30 { try #require(try await browser.get("/console/login/oidc").status == .seeOther) }
            let refused = try await browser.get("/console/login/oidc")
            #expect(refused.status == .tooManyRequests && refused.body.contains("Too many sign-ins") && refused.body.contains("Nothing was changed"))
            let pending = try await world.harness.store.records.all(
                .consoleOIDCLogins, scope: .workspace(world.harness.workspaceKey), filter: RecordFilter())
            #expect(pending.count == 30, "the refused start stored nothing")
        }
    }

    @Test func noAccountYetSendsToSetup() async throws {
        let provider = try await PythonTestServer.start("oidc_server.py")
        let settings = OIDCSettings(
            issuer: provider.baseURL, clientID: "c", clientSecret: "s", providerName: "P", redirectURI: OIDCTestWorld.redirectURI,
            allowedEmailDomains: ["example.com"])
        let harness = try await ConsoleHarness(oidc: settings)
        try await harness.run { browser in
            let start = try await browser.get("/console/login/oidc")
            #expect(start.status == .seeOther && start.location == "/console/setup", "the first admin comes from setup")
        }
        await provider.stop()
    }
}

/// Without OpenID Connect settings, the sign-in page offers no provider and its routes do not exist.
@Suite struct ConsoleWithoutOIDCTests {
    @Test func withoutOIDCTheSignInPageOffersNoProvider() async throws {
        let harness = try await ConsoleHarness()
        try await harness.console.accounts.add(email: "root@admin.test", name: "Root", role: "admin", password: "correct horse battery")
        try await harness.run { browser in
            let login = try await browser.get("/console/login")
            #expect(login.status == .ok && !login.body.contains("Sign in with") && !login.body.contains("/login/oidc"))
            #expect(try await browser.get("/console/login/oidc").status == .notFound)
        }
    }
}

extension ConsoleHarness {
    /// A second console (another process, in effect) over the same store, API and settings.
    init(sharing other: ConsoleHarness) throws {
        store = other.store
        api = other.api
        workspaceKey = other.workspaceKey
        let workspace = ConsoleAssembly.workspace(store.records)
        console = Console(
            settings: other.console.settings, records: store.records, workspace: workspace,
            engine: InProcessConsoleEngine(api: api, workspace: workspace, logger: Logger(label: "console-tests")),
            templates: try ConsoleTemplates(), setupCode: SetupCode(value: Self.setupCode), oidc: other.console.oidcSettings)
    }
}
