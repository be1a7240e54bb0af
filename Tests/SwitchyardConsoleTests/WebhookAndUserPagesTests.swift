import Foundation
import HTTPTypes
import SwitchyardConsole
import SwitchyardCore
import SwitchyardStore
import Testing

/// The webhook settings form and the console users page, from a browser's side.
@Suite struct WebhookAndUserPagesTests {
    @Test func webhookSettingsSaveKeepTheSecretWriteOnlyAndShowErrorsByTheirField() async throws {
        let harness = try await ConsoleHarness()
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let empty = try await browser.get("/console/webhooks")
            #expect(empty.status == .ok && empty.body.contains("No webhook URL is set"))

            let bad = try await browser.post(
                "/console/webhooks", [("csrf", csrf), ("url", "ftp://hooks.example"), ("secret", "0123456789abcdef!"), ("flowRun.failed", "on")])
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains("id=\"url-error\" class=\"field-error\""), "the message sits next to the URL field")
            #expect(bad.body.contains("value=\"ftp://hooks.example\""), "the input is kept")
            #expect(bad.body.contains("id=\"event-flowRun-failed\" name=\"flowRun.failed\" checked"), "the chosen events are kept")
            #expect(try await harness.call(.get, "/webhook-settings")["configured"] == .bool(false), "nothing was saved")

            let saved = try await browser.post(
                "/console/webhooks",
                [("csrf", csrf), ("url", "https://hooks.example/in"), ("secret", "0123456789abcdef!"), ("flowRun.failed", "on")])
            #expect(saved.status == .seeOther && saved.location == "/console/webhooks")
            let shown = try await browser.get("/console/webhooks")
            #expect(shown.body.contains("Webhook settings saved.") && shown.body.contains("value=\"https://hooks.example/in\""))
            #expect(!shown.body.contains("0123456789abcdef!"), "the secret is never shown back")
            #expect(!(try await browser.get("/console/webhooks")).body.contains("Webhook settings saved."), "the notice shows once")

            let again = try await browser.post("/console/webhooks", [("csrf", csrf), ("url", "https://hooks.example/v2"), ("secret", "")])
            #expect(again.status == .seeOther, "an empty secret keeps the stored one")
            let settings = try await harness.call(.get, "/webhook-settings")
            #expect(settings["url"] == "https://hooks.example/v2" && settings["events"] == .array([]))
            let stored = try await harness.store.records.get(.workspaces, id: harness.workspaceKey, scope: .workspace(harness.workspaceKey))
            #expect("\(stored.secret ?? .null)".contains("0123456789abcdef!"), "the first secret is still the one stored")

            #expect(try await browser.post("/console/webhooks/remove", [("csrf", csrf)]).status == .seeOther)
            #expect(try await harness.call(.get, "/webhook-settings")["configured"] == .bool(false))
        }
    }

    @Test func platformAdminsManageUsersOthersCannotEvenSeeThePage() async throws {
        let harness = try await ConsoleHarness()
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            #expect((try await browser.get("/console/")).body.contains("href=\"/console/users\""), "a platform admin sees the Users section")
            let page = try await browser.get("/console/users")
            #expect(page.status == .ok && page.body.contains("ada@example.com") && page.body.contains("(you)"))

            let short = try await browser.post(
                "/console/users", [("csrf", csrf), ("email", "Bob@Example.com"), ("name", "Bob <B>"), ("role", "member"), ("password", "short")])
            #expect(short.status == .badRequest && short.body.contains("id=\"password-error\""))
            #expect(short.body.contains("value=\"Bob@Example.com\"") && short.body.contains("value=\"Bob &lt;B&gt;\""), "input kept, escaped")
            #expect(try await harness.console.accounts.find(email: "bob@example.com") == nil)

            let added = try await browser.post(
                "/console/users",
                [("csrf", csrf), ("email", "Bob@Example.com"), ("name", "Bob"), ("role", "member"), ("password", "a long enough password")])
            #expect(added.status == .seeOther)
            let bob = try #require(try await harness.console.accounts.find(email: "bob@example.com"))
            #expect(bob.role == "member")
            let twice = try await browser.post(
                "/console/users",
                [("csrf", csrf), ("email", "bob@example.com"), ("name", "Bob"), ("role", "member"), ("password", "a long enough password")])
            #expect(twice.status == .conflict && twice.body.contains("already exists"))

            let me = try #require(try await harness.console.accounts.find(email: "ada@example.com"))
            let selfRemove = try await browser.post("/console/users/\(me.id)/remove", [("csrf", csrf)])
            #expect(selfRemove.status == .forbidden && selfRemove.body.contains("ask another platform admin"))
            #expect(try await harness.console.accounts.find(email: "ada@example.com") != nil)

            var member = Browser(client: browser.client)
            let memberLogin = try await member.post("/console/login", [("email", "bob@example.com"), ("password", "a long enough password")])
            #expect(memberLogin.status == .seeOther)
            #expect(try await member.get("/console/users").status == .forbidden, "a workspace admin does not manage users")
            #expect(!(try await member.get("/console/").body.contains("/console/users\"")), "nor sees the link")

            #expect(
                try await browser.post("/console/users/\(bob.id)/password", [("csrf", csrf), ("password", "another long password")]).status
                    == .seeOther)
            var again = Browser(client: browser.client)
            let relogin = try await again.post("/console/login", [("email", "bob@example.com"), ("password", "another long password")])
            #expect(relogin.status == .seeOther && relogin.location == "/console/", "the new password signs in")

            #expect(try await browser.post("/console/users/\(bob.id)/remove", [("csrf", csrf)]).status == .seeOther)
            #expect(try await harness.console.accounts.find(email: "bob@example.com") == nil)
            #expect(try await member.get("/console/customers").status == .seeOther, "a removed user's session ends at once")
        }
    }
}

/// With OpenID Connect sign-in, the users page also invites people without a password.
@Suite struct UserInvitationTests {
    @Test func withOIDCAnEmptyPasswordMakesAnInvitationWithoutItOneIsRequired() async throws {
        let oidc = OIDCSettings(
            issuer: "https://id.example.com", clientID: "c", clientSecret: "s", providerName: "Example ID",
            redirectURI: "http://127.0.0.1/console/login/oidc/callback", allowedEmailDomains: [])
        let harness = try await ConsoleHarness(oidc: oidc)
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let form = try await browser.get("/console/users")
            #expect(form.body.contains("leave it empty to invite them to sign in through the provider"))
            let invited = try await browser.post(
                "/console/users", [("csrf", csrf), ("email", "Guest@Partner.org"), ("name", "Guest"), ("role", "member"), ("password", "")])
            #expect(invited.status == .seeOther)
            let guest = try #require(try await harness.console.accounts.find(email: "guest@partner.org"))
            #expect(guest.role == "member")
            var other = Browser(client: browser.client)
            let attempt = try await other.post("/console/login", [("email", "guest@partner.org"), ("password", "")])
            #expect(attempt.status == .unauthorized, "an invitation has no password to sign in with")
        }
        let plain = try await ConsoleHarness()
        try await plain.run { browser in
            let csrf = try await plain.signIn(&browser)
            let refused = try await browser.post(
                "/console/users", [("csrf", csrf), ("email", "x@example.com"), ("name", "X"), ("role", "member"), ("password", "")])
            #expect(refused.status == .badRequest && refused.body.contains("id=\"password-error\""), "no provider: a password is required")
        }
    }
}
