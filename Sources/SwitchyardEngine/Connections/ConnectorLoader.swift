import Foundation
import SwitchyardBlobs
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore
import Synchronization

/// Finds and reads the connector package an integration uses: the version it pins, else the
/// latest published one, else the development upload. Packages are cached by the digest of
/// their archive, which names their content, so a cached package is never stale.
package final class ConnectorLoader: Sendable {
    private let records: any RecordStore
    private let blobs: any BlobStore
    private let cache = Mutex<[String: ConnectorPackage]>([:])

    /// Creates a loader.
    package init(records: any RecordStore, blobs: any BlobStore) {
        self.records = records
        self.blobs = blobs
    }

    /// Where a connector archive lives in the connectors bucket.
    package static func blobKey(workspace: String, connectorID: String, sha256: String) -> String {
        "\(workspace)/\(connectorID)/\(sha256).zip"
    }

    /// The SHA-256 naming the archive of a connector version: `development` (the last upload)
    /// or a published semver version.
    /// - Throws: `not_found` naming the connector and version.
    package static func digest(
        of connector: Record, version: String, records: any RecordStore, scope: StoreScope
    ) async throws(SwitchyardError) -> String {
        let name = connector.key ?? connector.id
        if version == "development" {
            guard let development = connector.connectorDocument.developmentDigest else {
                throw SwitchyardError(.notFound, "connector \(name) has no development version; upload a package first")
            }
            return development
        }
        let found = try await records.list(
            .connectorVersions, scope: scope, filter: RecordFilter(key: "\(connector.id)@\(version)", parentID: connector.id), limit: 1, cursor: nil
        ).items.first
        guard let published = found?.document["sha256"]?.stringValue else {
            throw SwitchyardError(.notFound, "connector \(name) has no published version \(version)")
        }
        return published
    }

    /// The connector record and package behind an integration.
    /// - Throws: `conflict` for an integration without a connector; `not_found` naming what is
    ///   missing (connector, version, upload).
    package func package(for integration: Record, scope: StoreScope) async throws(SwitchyardError) -> (connector: Record, package: ConnectorPackage) {
        guard let connectorID = integration.integrationDocument.connectorID else {
            // The request is fine; the integration is not ready for it (as IntegrationRoutes says when pinning a version).
            throw SwitchyardError(.conflict, "integration \(integration.key ?? integration.id) has no connector; set its connectorId")
        }
        // Connectors are workspace-level: a tenant's request reads them at the workspace scope.
        let workspace = StoreScope.workspace(scope.workspaceID)
        let connector = try await records.get(.connectors, id: connectorID, scope: workspace)
        let pinned = integration.integrationDocument.connectorVersion ?? connector.connectorDocument.latestVersion ?? "development"
        let sha = try await Self.digest(of: connector, version: pinned, records: records, scope: workspace)
        if let cached = cache.withLock({ $0[sha] }) { return (connector, cached) }
        let data = try await blobs.data(.connectors, key: Self.blobKey(workspace: scope.workspaceID, connectorID: connector.id, sha256: sha))
        let package: ConnectorPackage
        do {
            package = try ConnectorPackageReader.read(zip: data)
        } catch {
            throw SwitchyardError(.internal, "the stored package of connector \(connector.key ?? connector.id) cannot be read")
        }
        cache.withLock { $0[sha] = package }
        return (connector, package)
    }
}
