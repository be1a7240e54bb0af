import Hummingbird
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// `<base>/`: the workspace key, who is signed in, and counts read from the store.
struct OverviewPage: Sendable {
    /// The console the page belongs to.
    let console: Console

    /// The overview page.
    func show(_ request: Request, _ context: SwitchyardRequestContext) async throws -> Response {
        guard let user = context.consoleSignIn else { return console.responses.redirect(to: "/login") }
        let workspace = try await console.accounts.workspace.key()
        let counts = try await WorkspaceCounts.read(console.records, workspace: workspace)
        let items = [
            ("Customers", counts.customers), ("Integrations", counts.integrations), ("Connections", counts.connections),
            ("Flow runs in the last hour", counts.recentFlowRuns),
        ]
        .map { "<div><dt>\(HTML.escape($0.0))</dt><dd>\($0.1)</dd></div>" }.joined(separator: "\n")
        let body = """
            <section aria-labelledby="you">
            <h2 id="you">Signed in</h2>
            <p>\(HTML.escape(user.name)) &lt;\(HTML.escape(user.email))&gt;, role <strong>\(HTML.escape(user.role))</strong></p>
            </section>
            <section aria-labelledby="workspace">
            <h2 id="workspace">Workspace</h2>
            <p>Workspace key <code>\(HTML.escape(workspace))</code></p>
            <dl class="counts">
            \(items)
            </dl>
            </section>
            """
        return console.responses.html(console.layout.page(title: "Overview", body: body, user: user))
    }
}

/// How many of the workspace's things there are.
struct WorkspaceCounts: Sendable, Equatable {
    /// Live customers (tenants).
    var customers: Int
    /// Live integrations.
    var integrations: Int
    /// Live connections.
    var connections: Int
    /// Flow runs started in the last hour.
    var recentFlowRuns: Int

    /// Counts in the store.
    static func read(_ records: any RecordStore, workspace: String) async throws(SwitchyardError) -> WorkspaceCounts {
        let scope = StoreScope.workspace(workspace)
        let hourAgo = StoreClock.now() - 3600 * 1_000_000
        return WorkspaceCounts(
            customers: try await records.all(.tenants, scope: scope, filter: RecordFilter()).count,
            integrations: try await records.all(.integrations, scope: scope, filter: RecordFilter()).count,
            connections: try await records.all(.connections, scope: scope, filter: RecordFilter()).count,
            recentFlowRuns: try await records.all(.flowRuns, scope: scope, filter: RecordFilter(includeArchived: true)).filter {
                $0.createdAt >= hourAgo
            }
            .count
        )
    }
}
