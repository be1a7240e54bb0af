import SwitchyardCore

/// Finds the workspace the console works on (the install's default workspace). The server
/// supplies it, since the workspace directory belongs to the API.
package struct ConsoleWorkspace: Sendable {
    /// Returns the workspace's key, creating the workspace on an empty install.
    package let key: @Sendable () async throws(SwitchyardError) -> String

    /// Creates the finder.
    package init(key: @escaping @Sendable () async throws(SwitchyardError) -> String) {
        self.key = key
    }
}
