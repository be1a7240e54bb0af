import Foundation
import NIOHTTP1
import SwitchyardCore
import SwitchyardStore
import Synchronization

/// Where connection credentials live (`CONNECTION_CREDENTIALS_STORAGE_TYPE`): encrypted in
/// the connection row (`database`, the default), or in the SaaS's own store behind
/// `CONNECTION_CREDENTIALS_EXTERNAL_API_ENDPOINT_URL` (`external_api`): `PUT` and `GET
/// <url>?connectionId=<id>` with the `X-Switchyard-Token` of the connection's tenant. In the
/// external mode the connection row keeps only the credentials' revision and expiry; each
/// process caches what it read by revision, which every write moves.
package final class CredentialVault: Sendable {
    /// The storage type.
    package enum Mode: Sendable, Equatable {
        case database
        /// The endpoint URL.
        case externalAPI(String)
    }

    package let mode: Mode
    private let http: OutboundHTTPClient
    private let issuer: SwitchyardTokenIssuer
    private let cache = Mutex<[String: (revision: Int64, credentials: JSONValue)]>([:])

    /// Creates a vault.
    package init(mode: Mode, http: OutboundHTTPClient, issuer: SwitchyardTokenIssuer) {
        self.mode = mode
        self.http = http
        self.issuer = issuer
    }

    /// The credentials of a connection (`null` when it has none).
    /// - Throws: `unavailable` when the external store cannot be read.
    package func read(_ connection: Record) async throws(SwitchyardError) -> JSONValue {
        guard case .externalAPI(let endpoint) = mode else { return connection.secret?["credentials"] ?? .null }
        let revision = CredentialRefresher.revision(connection)
        if let cached = cache.withLock({ $0[connection.id] }), cached.revision == revision { return cached.credentials }
        let response = try await call(
            .GET, endpoint: endpoint, connection: connection.id, workspace: connection.workspaceID, tenant: connection.tenantID, body: nil)
        if response.status == .notFound { return .null }
        guard case .object = ResponseData.parse(response) else {
            throw SwitchyardError(
                .unavailable, "the external credentials store answered something other than a JSON object for connection \(connection.id)")
        }
        let credentials = ResponseData.parse(response)
        cache.withLock { $0[connection.id] = (revision, credentials) }
        return credentials
    }

    /// Stores new credentials of a connection at `revision`.
    /// - Returns: What the connection row keeps in its secret: the credentials themselves in
    ///   the database mode, `nil` in the external one.
    /// - Throws: `unavailable` when the external store refuses or cannot be reached (the
    ///   caller then writes nothing, so the old credentials stay in force).
    package func write(
        _ credentials: JSONValue, connectionID: String, workspaceID: String, tenantID: String?, revision: Int64
    ) async throws(SwitchyardError) -> JSONValue? {
        guard case .externalAPI(let endpoint) = mode else { return credentials }
        _ = try await call(.PUT, endpoint: endpoint, connection: connectionID, workspace: workspaceID, tenant: tenantID, body: credentials)
        cache.withLock { $0[connectionID] = (revision, credentials) }
        return nil
    }

    /// Removes a connection's credentials (after a disconnect); failures are the caller's to log.
    package func remove(connectionID: String, workspaceID: String, tenantID: String?) async throws(SwitchyardError) {
        _ = cache.withLock { $0.removeValue(forKey: connectionID) }
        guard case .externalAPI(let endpoint) = mode else { return }
        _ = try await call(.DELETE, endpoint: endpoint, connection: connectionID, workspace: workspaceID, tenant: tenantID, body: nil)
    }

    private func call(
        _ method: HTTPMethod, endpoint: String, connection: String, workspace: String, tenant: String?, body: JSONValue?
    ) async throws(SwitchyardError) -> OutboundResponse {
        let token = try await issuer.token(workspaceID: workspace, tenantID: tenant)
        var headers: HTTPHeaders = ["X-Switchyard-Token": token, "Accept": "application/json"]
        if body != nil { headers.add(name: "Content-Type", value: "application/json") }
        let url = endpoint + (endpoint.contains("?") ? "&" : "?") + "connectionId=" + PercentEncoding.encode(connection)
        var request = OutboundRequest(
            method: method, url: url, headers: headers, body: body.map { Array($0.jsonText.utf8) },
            secrets: [token] + ConnectionLog.secretValues(body ?? .null),
            tags: ["workspace": workspace, "tenant": tenant ?? "", "connection": connection]
        )
        request.logsBodies = false
        let response = try await http.send(request)
        let status = Int(response.status.code)
        // Nothing stored is an answer too: GET then yields no credentials, DELETE has nothing to do.
        guard (200..<300).contains(status) || (method != .PUT && status == 404) else {
            throw SwitchyardError(
                .unavailable, "the external credentials store answered \(status) to \(method.rawValue) for connection \(connection)")
        }
        return response
    }
}
