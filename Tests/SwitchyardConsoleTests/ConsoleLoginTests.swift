import Foundation
import HTTPTypes
import SwitchyardConsole
import SwitchyardCore
import SwitchyardStore
import SwitchyardTestSupport
import Testing

/// The console's first-run setup, sign-in, sessions, CSRF and rate limit, from a browser's side
/// on the production router chain.
@Suite struct ConsoleLoginTests {
    static let password = "correct horse battery"

    @Test func firstRunSetupNeedsTheCodeCreatesTheAdminAndIsGoneAfterwards() async throws {
        let harness = try await ConsoleHarness()
        try await harness.run { browser in
            let start = try await browser.get("/console/")
            #expect(start.status == .seeOther && start.location == "/console/login")
            let login = try await browser.get("/console/login")
            #expect(login.status == .seeOther && login.location == "/console/setup", "no account yet: sign-in sends to setup")
            let form = try await browser.get("/console/setup")
            #expect(form.status == .ok && form.body.contains("action=\"/console/setup\"") && form.body.contains("<label for=\"code\">"))

            let fields = [("email", "Ada@Example.com"), ("name", "Ada Admin"), ("password", Self.password)]
            let wrong = try await browser.post("/console/setup", [("code", "WRNG-CODE-0000")] + fields)
            #expect(wrong.status == .forbidden && wrong.body.contains("The setup code is wrong"))
            #expect(wrong.setCookie == nil)
            #expect(try await !harness.console.accounts.anyExists(), "a wrong code creates nothing")

            let created = try await browser.post("/console/setup", [("code", ConsoleHarness.setupCode.lowercased())] + fields)
            #expect(created.status == .seeOther && created.location == "/console/")
            let cookie = try #require(created.setCookie)
            #expect(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax") && cookie.contains("; Path=/console"))
            #expect(!cookie.contains("Secure"), "plain http: no Secure flag")

            let overview = try await browser.get("/console/")
            #expect(overview.status == .ok)
            #expect(
                overview.body.contains("ada@example.com") && overview.body.contains("Ada Admin") && overview.body.contains("platform admin"))
            #expect(overview.body.contains(harness.workspaceKey))

            #expect(try await browser.get("/console/setup").status == .notFound)
            let again = try await browser.post(
                "/console/setup", [("code", ConsoleHarness.setupCode), ("email", "eve@example.com")] + fields.dropFirst())
            #expect(again.status == .notFound && again.setCookie == nil)
            #expect(try await harness.console.accounts.find(email: "eve@example.com") == nil)
        }
    }

    @Test func passwordIsABcryptHashInTheEncryptedSecretNeverTheDocument() async throws {
        let harness = try await ConsoleHarness()
        let account = try await harness.console.accounts.add(email: "bob@example.com", name: "Bob", role: "member", password: Self.password)
        let record = try await harness.store.records.get(.platformUsers, id: account.id, scope: .workspace(harness.workspaceKey))
        #expect(record.document["passwordHash"] == nil && !"\(record.document)".contains(Self.password))
        #expect(record.secret?["passwordHash"]?.stringValue?.hasPrefix("$2") == true)
        await #expect(throws: SwitchyardError.self) {
            try await harness.console.accounts.add(email: "short@example.com", name: "Short", role: "member", password: "short")
        }
    }

    @Test func signInOutAndCSRF() async throws {
        let harness = try await ConsoleHarness()
        try await harness.console.accounts.add(email: "bob@example.com", name: "Bob Member", role: "member", password: Self.password)
        try await harness.run { browser in
            let page = try await browser.get("/console/login")
            #expect(page.status == .ok && page.body.contains("action=\"/console/login\"") && page.body.contains("<label for=\"password\">"))
            let wrong = try await browser.post("/console/login", [("email", "bob@example.com"), ("password", "not the password")])
            #expect(wrong.status == .unauthorized && wrong.body.contains("The email or the password is wrong.") && wrong.setCookie == nil)

            let signedIn = try await browser.post("/console/login", [("email", "BOB@example.com"), ("password", Self.password)])
            #expect(signedIn.status == .seeOther && signedIn.location == "/console/")
            let cookie = try #require(browser.cookie)
            let overview = try await browser.get("/console/")
            #expect(overview.status == .ok && overview.body.contains("bob@example.com") && overview.body.contains("workspace admin"))
            let logoutForm = try HTMLForm(page: overview.body)
            #expect(logoutForm.action == "/console/logout")
            let csrf = try #require(logoutForm.hiddenFields.first { $0.0 == "csrf" }?.1)

            let missing = try await browser.post("/console/logout", [])
            #expect(missing.status == .forbidden && missing.body.contains("CSRF") && missing.body.contains("Nothing was changed"))
            let forged = try await browser.post("/console/logout", [("csrf", "forged-token-from-another-site")])
            #expect(forged.status == .forbidden && forged.setCookie == nil)
            #expect(try await browser.get("/console/").status == .ok, "a refused logout leaves the session open")

            let out = try await browser.post("/console/logout", [("csrf", csrf)])
            #expect(out.status == .seeOther && out.location == "/console/login")
            #expect(out.setCookie?.contains("Max-Age=0") == true)
            browser.cookie = cookie
            let after = try await browser.get("/console/")
            #expect(after.status == .seeOther && after.location == "/console/login", "the old cookie no longer opens the overview")
            let late = try await browser.post("/console/logout", [("csrf", csrf)])
            #expect(late.status == .forbidden && late.body.contains("session has ended"))
        }
    }

    @Test func sixthFailedSignInIsRefusedEvenWithTheRightPassword() async throws {
        let harness = try await ConsoleHarness()
        try await harness.console.accounts.add(email: "carol@example.com", name: "Carol", role: "admin", password: Self.password)
        try await harness.run { browser in
            for attempt in 1...5 {
                let wrong = try await browser.post("/console/login", [("email", "carol@example.com"), ("password", "wrong password \(attempt)")])
                #expect(wrong.status == .unauthorized)
            }
            let refused = try await browser.post("/console/login", [("email", "carol@example.com"), ("password", Self.password)])
            #expect(refused.status == .tooManyRequests && refused.body.contains("Too many failed sign-ins") && refused.setCookie == nil)
            #expect(browser.cookie == nil)
        }
    }

    @Test func idleSessionEnds() async throws {
        let harness = try await ConsoleHarness()
        try await harness.console.accounts.add(email: "dan@example.com", name: "Dan", role: "admin", password: Self.password)
        try await harness.run { browser in
            _ = try await browser.post("/console/login", [("email", "dan@example.com"), ("password", Self.password)])
            #expect(try await browser.get("/console/").status == .ok)
            let scope = StoreScope.workspace(harness.workspaceKey)
            let session = try #require(
                try await harness.store.records.list(.consoleSessions, scope: scope, filter: RecordFilter(), limit: 1, cursor: nil).items.first)
            #expect(session.secret?["csrf"] != nil && session.document["csrf"] == nil)
            let thirteenHoursAgo = Double(StoreClock.now() - 13 * 3600 * 1_000_000)
            _ = try await harness.store.records.update(.consoleSessions, id: session.id, scope: scope, expectedRevision: nil) { record in
                record.document = ["userID": record.document["userID"] ?? .null, "lastSeenUs": .number(thirteenHoursAgo)]
            }
            let expired = try await browser.get("/console/")
            #expect(expired.status == .seeOther && expired.location == "/console/login")
        }
    }

    @Test func everythingCarriesANonDefaultBasePath() async throws {
        let harness = try await ConsoleHarness(basePath: "/admin/console", secureCookies: true)
        try await harness.run { browser in
            #expect(try await browser.get("/console/login").status == .notFound)
            let login = try await browser.get("/admin/console/login")
            #expect(login.location == "/admin/console/setup")
            let setup = try await browser.get("/admin/console/setup")
            #expect(setup.body.contains("action=\"/admin/console/setup\"") && setup.body.contains("href=\"/admin/console/assets/console.css\""))
            #expect(!setup.body.contains("\"/console"))
            let created = try await browser.post(
                "/admin/console/setup",
                [("code", ConsoleHarness.setupCode), ("email", "ada@example.com"), ("name", "Ada"), ("password", Self.password)])
            #expect(created.location == "/admin/console/")
            #expect(created.setCookie?.contains("; Path=/admin/console") == true && created.setCookie?.contains("; Secure") == true)
            let overview = try await browser.get("/admin/console/")
            #expect(
                overview.status == .ok && overview.body.contains("action=\"/admin/console/logout\"")
                    && overview.body.contains("href=\"/admin/console/\""))
            let css = try await browser.get("/admin/console/assets/console.css")
            #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8" && css.body.contains("prefers-color-scheme: dark"))
            let csrf = try #require(try HTMLForm(page: overview.body).hiddenFields.first { $0.0 == "csrf" }?.1)
            let out = try await browser.post("/admin/console/logout", [("csrf", csrf)])
            #expect(out.location == "/admin/console/login")
        }
    }

    @Test func securityHeadersOnEveryConsoleResponseAndNoScript() async throws {
        let harness = try await ConsoleHarness()
        try await harness.console.accounts.add(email: "erin@example.com", name: "Erin", role: "admin", password: Self.password)
        try await harness.run { browser in
            var pages = [try await browser.get("/console/login"), try await browser.get("/console/setup"), try await browser.get("/console/")]
            pages.append(try await browser.get("/console/assets/console.css"))
            pages.append(try await browser.post("/console/logout", []))
            pages.append(try await browser.post("/console/login", [("email", "erin@example.com"), ("password", Self.password)]))
            pages.append(try await browser.get("/console/"))
            for page in pages {
                let policy = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!])
                #expect(policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe-inline"))
                #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
                #expect(!page.body.contains("<script"))
            }
        }
    }

    @Test func overviewEscapesWhatItShows() async throws {
        let harness = try await ConsoleHarness()
        try await harness.console.accounts.add(email: "x@example.com", name: "<script>alert(1)</script>", role: "admin", password: Self.password)
        try await harness.run { browser in
            _ = try await browser.post("/console/login", [("email", "x@example.com"), ("password", Self.password)])
            let overview = try await browser.get("/console/")
            #expect(overview.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !overview.body.contains("<script"))
        }
    }
}

/// The overview's counts come from the store.
