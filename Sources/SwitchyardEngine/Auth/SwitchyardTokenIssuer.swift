import Crypto
import Foundation
import SwitchyardCore
import SwitchyardStore

/// Mints the `X-Switchyard-Token` that calls to the SaaS's own API carry: an HS256 JWT
/// `{iss: workspaceKey, sub: tenantId, fields, iat, exp}` signed with the workspace secret, so
/// the SaaS backend checks it with the same secret it signs tenant tokens with.
package struct SwitchyardTokenIssuer: Sendable {
    private let records: any RecordStore
    /// How long a minted token is valid.
    private let lifetime: Double

    /// Creates an issuer.
    package init(records: any RecordStore, lifetime: Duration = .seconds(300)) {
        self.records = records
        self.lifetime = Double(lifetime.components.seconds)
    }

    /// A token for a tenant of a workspace (or for the workspace itself, without `sub`).
    /// - Throws: `not_found` when the workspace or tenant is gone; `internal` when the
    ///   workspace has no secret.
    package func token(workspaceID: String, tenantID: String?) async throws(SwitchyardError) -> String {
        let workspace = try await records.get(.workspaces, id: workspaceID, scope: .workspace(workspaceID))
        guard let secret = workspace.secret?["secret"]?.stringValue else { throw SwitchyardError(.internal, "workspace \(workspaceID) has no secret") }
        let now = Date().timeIntervalSince1970.rounded(.down)
        var claims: [String: JSONValue] = ["iss": .string(workspace.key ?? workspaceID), "iat": .number(now), "exp": .number(now + lifetime)]
        if let tenantID {
            let tenant = try await records.get(.tenants, id: tenantID, scope: .tenant(tenantID, in: workspaceID))
            claims["sub"] = .string(tenant.key ?? tenantID)
            if let fields = tenant.document["fields"], fields != .null { claims["fields"] = fields }
        }
        return Self.sign(claims: .object(claims), secret: secret)
    }

    /// An HS256 JWT of `claims`.
    package static func sign(claims: JSONValue, secret: String) -> String {
        let header = base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = base64URL(Data(claims.jsonText.utf8))
        let input = header + "." + payload
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return input + "." + base64URL(Data(mac))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
