/// How the console is served: under which path, and whether its cookies need https.
package struct ConsoleSettings: Sendable, Equatable {
    /// The path every console URL starts with (`/console` by default), without a trailing slash.
    package var basePath: String
    /// Whether the session cookie carries `Secure` (the public URL is https).
    package var secureCookies: Bool

    /// Creates the settings.
    package init(basePath: String, secureCookies: Bool) {
        self.basePath = basePath
        self.secureCookies = secureCookies
    }

    /// A console URL path: `path` (starting with `/`) under the base path.
    package func url(_ path: String) -> String { basePath + path }
}
