import Logging

/// A dependency this process needs before it can serve: the database, object storage, the
/// custom code runner. Each issue that adds a dependency registers its check.
package struct HealthCheck: Sendable {
    /// The check's name, as `SKIP_HEALTH_CHECKS` and `GET /` name it (`database`, `storage`, `custom_code`).
    package var name: String
    /// Succeeds when the dependency answers; throws an error whose description is safe to show.
    package var probe: @Sendable (Logger) async throws -> Void

    /// Creates a check.
    /// - Parameters:
    ///   - name: The check's name.
    ///   - probe: The probe; its error's description must not contain secrets.
    package init(name: String, probe: @escaping @Sendable (Logger) async throws -> Void) {
        self.name = name
        self.probe = probe
    }
}
