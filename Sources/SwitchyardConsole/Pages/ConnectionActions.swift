import HTTPTypes
import SwitchyardCore

/// The buttons of a connection's page: test, refresh the credentials, and disconnect (after a
/// confirmation page, so it works without script). Success goes back to the connection's page
/// with a notice; a failure shows the connection's page with the API's message at the top.
enum ConnectionActions {
    /// Registers the actions.
    static func register(_ pages: PageRoutes) {
        pages.post("/connections/:id/test") { page in
            try await act(page, "test", done: "Test passed: the connection works.", failed: "Test failed:")
        }
        pages.post("/connections/:id/refresh-credentials") { page in
            try await act(page, "refresh-credentials", done: "Credentials refreshed.", failed: "Refreshing the credentials failed:")
        }
        pages.get("/connections/:id/disconnect") { page in try await confirm(page) }
        pages.post("/connections/:id/disconnect") { page in try await disconnect(page) }
    }

    /// Runs one connection operation and says how it went.
    static func act(_ page: PageRequest, _ operation: String, done: String, failed: String) async throws -> PageResult {
        let id = page.parameter("id")
        switch try await page.attempt(.post, EngineRequest.path("connections", id, operation)) {
        case .success: return .redirect(EngineRequest.path("connections", id), notice: done)
        case .failure(let problem): return .view(try await ConnectionPages.view(page, id: id, problem: (failed, problem)))
        }
    }

    /// The confirmation page of a disconnect.
    static func confirm(_ page: PageRequest) async throws -> PageResult {
        let id = page.parameter("id")
        let connection = try await page.get(EngineRequest.path("connections", id))
        var values = ViewValue.of(connection) as? [String: Any] ?? [:]
        values["label"] = connection["name"]?.stringValue ?? id
        values["path"] = page.console.settings.url(EngineRequest.path("connections", id))
        values.merge(ConnectionStateText(connection).values) { _, new in new }
        let title = "Disconnect " + (connection["name"]?.stringValue ?? id)
        return .view(PageView(title: title, template: "connection-disconnect", section: "/connections", values: TemplateValues.compact(values)))
    }

    /// Disconnects, and says whether revoking the credentials at the provider failed.
    static func disconnect(_ page: PageRequest) async throws -> PageResult {
        let id = page.parameter("id")
        switch try await page.attempt(.post, EngineRequest.path("connections", id, "disconnect")) {
        case .success(let answer):
            let revoke = answer["revokeError"]?.stringValue.map { " Revoking them at the provider failed: \($0)" } ?? ""
            let notice = "Disconnected: the credentials were removed; the customer has to connect again to use it." + revoke
            return .redirect(EngineRequest.path("connections", id), notice: notice)
        case .failure(let problem):
            return .view(try await ConnectionPages.view(page, id: id, problem: ("Disconnecting failed:", problem)))
        }
    }
}
