/// How the `ui` role serves the end-user pages.
package struct UISettings: Sendable, Equatable {
    /// The path every UI page starts with, without a trailing slash (`/ui` by default, `UI_BASE_PATH`).
    package var basePath: String
    /// The engine API to forward the pages' calls to when the `api` role is not in this process
    /// (`ENGINE_API_URI`); `nil` when it is, and the pages call it on the same origin.
    package var engineAPIURI: String?

    /// Creates settings.
    package init(basePath: String = "/ui", engineAPIURI: String? = nil) {
        self.basePath = basePath
        self.engineAPIURI = engineAPIURI
    }

    /// Where the pages' script sends API calls: the same origin's root when the API runs in this
    /// process, else this role's forwarding path.
    var apiBase: String { engineAPIURI == nil ? "" : basePath + "/api" }
}
