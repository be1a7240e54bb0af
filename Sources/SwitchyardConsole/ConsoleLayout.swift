import SwitchyardHTTP

/// The frame of every console page: head with the stylesheet, header with the signed-in user
/// and the logout form, the section navigation, and the page's main content
/// (`Templates/layout.mustache`).
struct ConsoleLayout: Sendable {
    /// One entry of the section navigation.
    struct Section: Sendable {
        /// The link text.
        var label: String
        /// The path under the base path.
        var path: String
        /// Whether only platform admins see it.
        var adminOnly = false
    }

    /// The console's sections, in navigation order.
    static let sections: [Section] = [
        Section(label: "Overview", path: "/"),
        Section(label: "Connectors", path: "/connectors"),
        Section(label: "Integrations", path: "/integrations"),
        Section(label: "Customers", path: "/customers"),
        Section(label: "Connections", path: "/connections"),
        Section(label: "Actions", path: "/actions"),
        Section(label: "Flows", path: "/flows"),
        Section(label: "Flow runs", path: "/flow-runs"),
        Section(label: "Jobs", path: "/jobs"),
        Section(label: "Webhooks", path: "/webhooks"),
        Section(label: "Workspace", path: "/workspace"),
        Section(label: "Users", path: "/users", adminOnly: true),
    ]

    /// Where the console is served.
    let settings: ConsoleSettings
    /// The templates.
    let templates: ConsoleTemplates

    /// A whole page.
    /// - Parameters:
    ///   - title: The page title (plain text).
    ///   - body: The main content, already HTML (every value in it escaped).
    ///   - user: The signed-in user, for the header, its logout form and the navigation.
    ///   - section: The path of the section the page belongs to (marked current).
    ///   - notice: A one-time message about what the last action did.
    ///   - banner: A problem that concerns the whole page (the engine cannot be reached).
    ///   - script: Whether the page loads the console's small script (drag and drop, confirmations).
    func page(
        title: String, body: String, user: ConsoleSignIn? = nil, section: String? = nil, notice: String? = nil,
        banner: (title: String, text: String)? = nil, script: Bool = false
    ) -> String {
        var values: [String: Any] = ["title": title, "base": settings.basePath, "content": body, "script": script]
        if let user {
            values["user"] = ["email": user.email, "csrf": user.csrfToken, "roleLabel": ConsoleRole(user.role).label]
            let role = ConsoleRole(user.role)
            values["nav"] = Self.sections.filter { !$0.adminOnly || role == .admin }.map { entry -> [String: Any] in
                ["label": entry.label, "href": settings.url(entry.path), "current": entry.path == section]
            }
        }
        if let notice { values["notice"] = notice }
        if let banner { values["banner"] = ["title": banner.title, "text": banner.text] }
        return templates.render("layout", values)
    }
}
