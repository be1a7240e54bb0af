import Foundation
import SwitchyardCore
import SwitchyardStore

/// A workspace: what a SaaS company's integrations live in. Its key is public (tokens name it
/// in `iss` or `workspaceKey`); its secret signs tenant tokens and never leaves the server
/// except through `switchyard workspace credentials`.
package struct Workspace: Sendable, Equatable {
    /// The key, also the record id.
    package var key: String
    /// A display name.
    package var name: String
    /// The signing secret: 64 hexadecimal characters.
    package var secret: String
    /// The secret before the last rotation, still accepted until `previousSecretValidUntil`.
    package var previousSecret: String?
    /// Microseconds since the epoch.
    package var previousSecretValidUntil: Int64?
    /// A PEM public key tenant tokens may be signed against instead (RS256 or ES256).
    package var publicKeyPEM: String?
    /// The workspace's own request-rate limit (`limits.requestsPerSecond`), if set.
    package var requestsPerSecond: Double?
    /// The origins whose pages may embed the end-user UI (`uiAllowedOrigins`), as
    /// `scheme://host[:port]`; `*` (any origin) only outside production.
    package var uiAllowedOrigins: [String] = []

    /// How long the old secret keeps working after a rotation.
    package static let rotationGrace: Duration = .seconds(24 * 3600)

    /// A new random secret.
    package static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The secrets a token may be signed with now.
    package func acceptedSecrets(now: Int64 = StoreClock.now()) -> [String] {
        if let previousSecret, let until = previousSecretValidUntil, now < until { return [secret, previousSecret] }
        return [secret]
    }

    /// The record that stores this workspace.
    var record: NewRecord {
        NewRecord(kind: .workspaces, id: key, key: key, document: document, secret: secrets)
    }

    var document: JSONValue {
        var members: [String: JSONValue] = ["name": .string(name)]
        if let until = previousSecretValidUntil { members["previousSecretValidUntil"] = .number(Double(until)) }
        if let pem = publicKeyPEM { members["publicKey"] = .string(pem) }
        if !uiAllowedOrigins.isEmpty { members["uiAllowedOrigins"] = .array(uiAllowedOrigins.map(JSONValue.string)) }
        return .object(members)
    }

    var secrets: JSONValue {
        var members: [String: JSONValue] = ["secret": .string(secret)]
        if let previousSecret { members["previousSecret"] = .string(previousSecret) }
        return .object(members)
    }

    /// Reads a workspace record.
    init(record: Record) throws(SwitchyardError) {
        guard let secret = record.secret?["secret"]?.stringValue else {
            throw SwitchyardError(.internal, "workspace \(record.id) has no secret")
        }
        key = record.id
        name = record.document["name"]?.stringValue ?? record.id
        self.secret = secret
        previousSecret = record.secret?["previousSecret"]?.stringValue
        previousSecretValidUntil = record.document["previousSecretValidUntil"]?.numberValue.map { Int64($0) }
        publicKeyPEM = record.document["publicKey"]?.stringValue
        requestsPerSecond = record.document["limits"]?["requestsPerSecond"]?.numberValue
        if case .array(let origins)? = record.document["uiAllowedOrigins"] { uiAllowedOrigins = origins.compactMap(\.stringValue) }
    }

    /// Creates a workspace value.
    package init(key: String, name: String, secret: String) {
        self.key = key
        self.name = name
        self.secret = secret
    }
}
