import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// The console role's web app, registered under its base path on the process's router.
///
/// Public pages (sign-in, first-run setup, the stylesheet) and the pages behind sign-in are two
/// route groups; the second passes ``ConsoleSessionMiddleware`` first. Every console response
/// passes ``SecurityHeadersMiddleware``.
package struct Console: Sendable {
    /// Where the console is served.
    package let settings: ConsoleSettings
    /// The accounts.
    package let accounts: ConsoleAccounts
    /// The sessions.
    let sessions: ConsoleSessions
    /// The first-run setup code.
    package let setupCode: SetupCode
    /// Failed sign-ins.
    let throttle: LoginThrottle
    /// The store the pages read.
    let records: any RecordStore
    /// The engine API the pages call.
    let engine: any ConsoleEngine
    /// The page templates.
    let templates: ConsoleTemplates
    /// The page frame.
    let layout: ConsoleLayout
    /// Pages, redirects and cookies.
    let responses: ConsoleResponses
    /// The OpenID provider, when OpenID Connect sign-in is configured.
    let oidcProvider: OIDCProvider?
    /// The form routes registered.
    let forms = FormRegistry()

    /// The path (under the base path) of every form route behind sign-in, as registered.
    package var formPaths: [String] { forms.all }

    /// Creates the console.
    /// - Parameters:
    ///   - settings: Base path and cookie security.
    ///   - records: The store.
    ///   - workspace: Finds the workspace the console works on.
    ///   - engine: The engine API (in process, or over HTTP at `ENGINE_API_URI`).
    ///   - templates: The page templates.
    ///   - setupCode: The one-time first-run setup code (print it where the operator sees it).
    ///   - throttle: Failed sign-in counts.
    ///   - oidc: OpenID Connect sign-in, when configured.
    package init(
        settings: ConsoleSettings, records: any RecordStore, workspace: ConsoleWorkspace, engine: any ConsoleEngine,
        templates: ConsoleTemplates, setupCode: SetupCode = SetupCode(), throttle: LoginThrottle = LoginThrottle(),
        oidc: OIDCSettings? = nil
    ) {
        self.engine = engine
        self.templates = templates
        self.settings = settings
        self.records = records
        accounts = ConsoleAccounts(records: records, workspace: workspace)
        sessions = ConsoleSessions(records: records, accounts: accounts)
        self.setupCode = setupCode
        self.throttle = throttle
        layout = ConsoleLayout(settings: settings, templates: templates)
        responses = ConsoleResponses(settings: settings)
        oidcProvider = oidc.map { OIDCProvider(settings: $0) }
    }

    /// Registers every console route under the base path.
    package func register(on router: Router<SwitchyardRequestContext>) {
        let base = router.group(RouterPath(settings.basePath)).add(middleware: SecurityHeadersMiddleware())
        base.get("/assets/console.css") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/css; charset=utf-8"
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: ConsoleStylesheet.text)))
        }
        base.get("/assets/console.js") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/javascript; charset=utf-8"
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: ConsoleScript.text)))
        }
        let login = LoginPages(console: self)
        base.get("/login") { request, context in try await login.show(request, context) }
        base.post("/login") { request, context in try await login.submit(request, context) }
        if let oidcProvider {
            let oidc = OIDCLoginPages(console: self, provider: oidcProvider)
            base.get("/login/oidc") { request, context in try await oidc.start(request, context) }
            base.get("/login/oidc/callback") { request, context in try await oidc.callback(request, context) }
        }
        let setup = SetupPage(console: self)
        base.get("/setup") { request, context in try await setup.show(request, context) }
        base.post("/setup") { request, context in try await setup.submit(request, context) }

        let signedIn = base.group().add(middleware: ConsoleSessionMiddleware(sessions: sessions, responses: responses, layout: layout))
        signedIn.post("/logout") { request, context in try await login.logout(request, context) }
        forms.add("/logout")
        let pages = PageRoutes(group: signedIn, console: self)
        OverviewPages.register(pages)
        CustomerPages.register(pages)
        ConnectorPages.register(pages)
        IntegrationPages.register(pages)
        CustomerLimitPages.register(pages)
        ActionPages.register(pages)
        FlowPages.register(pages)
        JobPages.register(pages)
        WorkspacePages.register(pages)
        WebhookPages.register(pages)
        UserPages.register(pages)
        ConnectionPages.register(pages)
        FlowRunPages.register(pages)
        // Any other address under the base path: a console page that says so, not the API's JSON.
        let notFound = layout.page(
            title: "Not found",
            body: "<p class=\"error\" role=\"alert\">There is no console page at this address.</p>"
                + "<p><a href=\"\(HTML.escape(settings.url("/")))\">Go to the overview</a></p>")
        base.get("/**") { _, _ in responses.html(notFound, status: .notFound) }
    }
}
