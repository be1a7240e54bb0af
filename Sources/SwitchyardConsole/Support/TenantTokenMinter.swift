import Crypto
import Foundation
import SwitchyardCore

/// Signs test tenant tokens for the workspace settings page: an HS256 JWT, as a SaaS backend
/// makes one with its workspace key and secret (`iss`, `id`, `name`, `exp`).
enum TenantTokenMinter {
    /// The longest a test token may live.
    static let maxLifetimeSeconds = 24 * 3600

    /// A token for a tenant.
    /// - Parameters:
    ///   - workspaceKey: The workspace key (`iss`).
    ///   - secret: The workspace secret that signs it.
    ///   - tenant: The customer's internal id (`id`).
    ///   - name: The customer's name, if given.
    ///   - lifetimeSeconds: How long it is valid.
    static func mint(workspaceKey: String, secret: String, tenant: String, name: String?, lifetimeSeconds: Int, now: Date = Date()) -> String {
        let header: JSONValue = ["alg": "HS256", "typ": "JWT"]
        var claims: [String: JSONValue] = [
            "iss": .string(workspaceKey), "id": .string(tenant), "exp": .number(Double(Int(now.timeIntervalSince1970) + lifetimeSeconds)),
        ]
        if let name, !name.isEmpty { claims["name"] = .string(name) }
        let signingInput = base64URL(Data(header.jsonText.utf8)) + "." + base64URL(Data(JSONValue.object(claims).jsonText.utf8))
        let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return signingInput + "." + base64URL(Data(signature))
    }

    /// Base64url without padding.
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
            of: "=", with: "")
    }
}
