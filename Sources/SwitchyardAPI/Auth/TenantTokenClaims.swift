import Foundation
import JWTKit
import SwitchyardCore

/// The claims of a token a SaaS backend signs for its customer (or for itself, as admin). Both
/// claim styles are read: `iss` or `workspaceKey`, `id` or `tenantKey`.
struct TenantTokenClaims: JWTPayload {
    var iss: String?
    var workspaceKey: String?
    var id: String?
    var tenantKey: String?
    var name: String?
    var fields: JSONValue?
    var exp: Double?
    var isAdmin: Bool

    enum CodingKeys: String, CodingKey {
        case iss, workspaceKey, id, tenantKey, name, fields, exp, isAdmin
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iss = try container.decodeIfPresent(String.self, forKey: .iss)
        workspaceKey = try container.decodeIfPresent(String.self, forKey: .workspaceKey)
        id = try Self.identifier(container, .id)
        tenantKey = try Self.identifier(container, .tenantKey)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        fields = try container.decodeIfPresent(JSONValue.self, forKey: .fields)
        exp = try container.decodeIfPresent(Double.self, forKey: .exp)
        // Samples send true, 1 or "true".
        if let flag = try? container.decodeIfPresent(Bool.self, forKey: .isAdmin) {
            isAdmin = flag
        } else if let number = try? container.decodeIfPresent(Int.self, forKey: .isAdmin) {
            isAdmin = number == 1
        } else if let text = try? container.decodeIfPresent(String.self, forKey: .isAdmin) {
            isAdmin = text == "true" || text == "1"
        } else {
            isAdmin = false
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(iss, forKey: .iss)
        try container.encodeIfPresent(workspaceKey, forKey: .workspaceKey)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encodeIfPresent(tenantKey, forKey: .tenantKey)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(fields, forKey: .fields)
        try container.encodeIfPresent(exp, forKey: .exp)
        if isAdmin { try container.encode(true, forKey: .isAdmin) }
    }

    /// Tenant ids arrive as strings or numbers.
    private static func identifier(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> String? {
        if let text = try? container.decodeIfPresent(String.self, forKey: key) { return text }
        if let number = try? container.decodeIfPresent(Int64.self, forKey: key) { return String(number) }
        return nil
    }

    /// Expiry and lifetime are checked by ``TokenAuthenticator`` (with messages of its own).
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// The workspace the token names.
    var workspace: String? { workspaceKey ?? iss }
    /// The tenant the token names.
    var tenant: String? { tenantKey ?? id }
}
