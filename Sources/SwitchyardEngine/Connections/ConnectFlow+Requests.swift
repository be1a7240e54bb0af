import Foundation
import Logging
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// Headless connection requests (`POST /connection-requests`): the SaaS backend asks for a
/// connection on a tenant's behalf and gets a link to hand to the user; the link starts the
/// connect flow without a tenant token (it carries a signed, expiring request token), and the
/// request's `status` (`created` → `pending` → `success` | `error`) and `resultConnectionId`
/// tell the backend how it went.
extension ConnectFlow {
    /// How long a connection request link works.
    static let requestLifetime: Double = 3600

    /// Creates a connection request for the tenant of `scope`.
    /// - Returns: The request record and the link that starts its flow.
    /// - Throws: `bad_request` without a tenant, `not_found` for an unknown integration.
    package func createRequest(_ request: ConnectRequest, scope: StoreScope) async throws(SwitchyardError) -> (record: Record, url: String) {
        guard let tenant = scope.tenantID else {
            throw SwitchyardError(.badRequest, "a connection request needs a tenant token (a connection belongs to one tenant)")
        }
        let integration = try await target(of: request, scope: scope).integration
        let expiresAt = Date().timeIntervalSince1970 + Self.requestLifetime
        var document = request.document
        document["integration"] = .string(integration.id)
        document["integrationId"] = .string(integration.id)
        document["status"] = "created"
        document["expiresAt"] = .number(expiresAt)
        let record = try await records.insert(
            NewRecord(kind: .connectionRequests, tenantID: tenant, parentID: integration.id, document: .object(document)), scope: scope
        )
        let token = state.sign(["q": .string(record.id), "w": .string(scope.workspaceID), "t": .string(tenant)], expiresAt: expiresAt)
        if let uiURL {
            // The fragment keeps the token out of server logs and Referer headers.
            return (record, uiURL + "/request#requestToken=" + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token))
        }
        return (record, PercentEncoding.appending(baseURL + "/connect", [("requestToken", token)]))
    }

    /// A connection request as stored, with `status` reading `expired` once its link no longer works.
    package static func presented(_ request: Record) -> Record {
        var record = request
        let status = record.document["status"]?.stringValue
        if let expiresAt = record.document["expiresAt"]?.numberValue, expiresAt < Date().timeIntervalSince1970, status != "success" {
            var document = record.document.objectValue ?? [:]
            document["status"] = "expired"
            record.document = .object(document)
        }
        return record
    }
}
