import Foundation
import HTTPTypes
import JWTKit
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// `/workspace`: the caller's workspace settings for the console: its key and name, its signing
/// secret (masked; revealed or rotated on request), and the public key tenant tokens may be
/// signed against. Admin only.
enum WorkspaceRoutes {
    static let schema: JSONValue = [
        "type": "object", "required": ["key", "name", "secretMasked", "publicKeyRegistered"],
        "properties": [
            "key": ["type": "string"], "name": ["type": "string"],
            "secretMasked": ["type": "string", "description": "the secret with all but its last 4 characters replaced by *"],
            "publicKeyRegistered": ["type": "boolean"], "publicKey": ["type": ["string", "null"], "description": "the registered PEM"],
            "uiAllowedOrigins": [
                "type": "array", "items": ["type": "string"],
                "description": "origins whose pages may embed the end-user UI (scheme://host[:port]; * only outside production)",
            ],
            "previousSecretValidUntil": [
                "type": ["string", "null"], "format": "date-time", "description": "when the secret before the last rotation stops being accepted",
            ],
        ],
    ]

    static let secretSchema: JSONValue = [
        "type": "object", "required": ["secret"],
        "properties": [
            "secret": ["type": "string"],
            "previousSecretValidUntil": ["type": ["string", "null"], "format": "date-time"],
        ],
    ]

    /// The largest PEM accepted (an RSA 8192-bit public key is about 1.5 KB).
    static let maxPEMLength = 16_384

    static func routes(_ deps: APIDependencies) -> [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/workspace", access: .admin, operationID: "getWorkspace", summary: "The workspace's settings (secret masked)",
                tag: "Workspace", parameters: [], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                json(try await current(request, deps))
            },
            APIRoute(
                method: .patch, path: "/workspace", access: .admin, operationID: "updateWorkspace",
                summary: "Change the workspace's settings: uiAllowedOrigins, the origins whose pages may embed the end-user UI",
                tag: "Workspace", parameters: [],
                requestSchema: [
                    "type": "object", "additionalProperties": false,
                    "properties": ["uiAllowedOrigins": ["type": "array", "items": ["type": "string"], "maxItems": .number(Double(maxOrigins))]],
                ],
                responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body, allowed: ["uiAllowedOrigins"])
                let origins = allowedOrigins(&reader, allowAny: !deps.isProduction)
                try reader.finish()
                guard let origins else { return json(try await current(request, deps)) }
                return json(try await deps.workspaces.setUIAllowedOrigins(key: request.caller.workspaceID, origins: origins))
            },
            APIRoute(
                method: .post, path: "/workspace/reveal-secret", access: .admin, operationID: "revealWorkspaceSecret",
                summary: "The workspace secret that signs tenant tokens", tag: "Workspace", parameters: [], requestSchema: nil,
                responseSchema: secretSchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                secret(try await current(request, deps))
            },
            APIRoute(
                method: .post, path: "/workspace/rotate-secret", access: .admin, operationID: "rotateWorkspaceSecret",
                summary: "Replace the workspace secret; the previous one is accepted for 24 more hours", tag: "Workspace", parameters: [],
                requestSchema: nil, responseSchema: secretSchema, successStatus: 200
            ) { request throws(SwitchyardError) in
                secret(try await deps.workspaces.rotateSecret(key: request.caller.workspaceID))
            },
            APIRoute(
                method: .put, path: "/workspace/public-key", access: .admin, operationID: "setWorkspacePublicKey",
                summary: "Register the PEM public key (RSA for RS256, P-256 for ES256) tenant tokens may be signed against", tag: "Workspace",
                parameters: [],
                requestSchema: [
                    "type": "object", "additionalProperties": false, "required": ["pem"],
                    "properties": ["pem": ["type": "string", "minLength": 1, "maxLength": .number(Double(maxPEMLength))]],
                ],
                responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                var reader = try BodyReader(request.body, allowed: ["pem"])
                let pem = reader.string("pem", required: true, maxLength: maxPEMLength)?.trimmingCharacters(in: .whitespacesAndNewlines)
                if let pem, let problem = problem(publicKey: pem) { reader.reject("pem", problem) }
                try reader.finish()
                return json(try await deps.workspaces.setPublicKey(key: request.caller.workspaceID, pem: pem))
            },
            APIRoute(
                method: .delete, path: "/workspace/public-key", access: .admin, operationID: "deleteWorkspacePublicKey",
                summary: "Remove the registered public key (tenant tokens must then be signed with the secret)", tag: "Workspace",
                parameters: [], requestSchema: nil, responseSchema: schema, successStatus: 200
            ) { request throws(SwitchyardError) in
                json(try await deps.workspaces.setPublicKey(key: request.caller.workspaceID, pem: nil))
            },
        ]
    }

    /// The most origins a workspace may allow to embed its UI.
    static let maxOrigins = 50

    /// `uiAllowedOrigins` from a body, normalized and without repeats; `nil` when absent. Each
    /// entry that is not an origin is reported under `uiAllowedOrigins`.
    static func allowedOrigins(_ reader: inout BodyReader, allowAny: Bool) -> [String]? {
        guard let value = reader.members("uiAllowedOrigins") else { return nil }
        guard case .array(let items) = value, items.count <= maxOrigins else {
            reader.reject("uiAllowedOrigins", "must be a list of at most \(maxOrigins) origins such as https://app.example.com")
            return nil
        }
        var origins: [String] = []
        for item in items {
            guard let text = item.stringValue else {
                reader.reject("uiAllowedOrigins", "must hold strings (origins such as https://app.example.com)")
                return nil
            }
            switch WebOrigin.parse(text, allowAny: allowAny) {
            case .success(let origin): if !origins.contains(origin) { origins.append(origin) }
            case .failure(let problem):
                reader.reject("uiAllowedOrigins", problem.message)
                return nil
            }
        }
        return origins
    }

    /// The caller's workspace.
    static func current(_ request: APIRequest, _ deps: APIDependencies) async throws(SwitchyardError) -> Workspace {
        try await deps.workspaces.workspace(key: request.caller.workspaceID)
    }

    static func json(_ workspace: Workspace) -> JSONValue {
        let visible = workspace.secret.suffix(4)
        var members: [String: JSONValue] = [
            "key": .string(workspace.key), "name": .string(workspace.name),
            "secretMasked": .string(String(repeating: "*", count: max(0, workspace.secret.count - visible.count)) + visible),
            "publicKeyRegistered": .bool(workspace.publicKeyPEM != nil), "publicKey": workspace.publicKeyPEM.map(JSONValue.string) ?? .null,
            "previousSecretValidUntil": .null, "uiAllowedOrigins": .array(workspace.uiAllowedOrigins.map(JSONValue.string)),
        ]
        if let until = workspace.previousSecretValidUntil, until > StoreClock.now() {
            members["previousSecretValidUntil"] = .string(RecordJSON.timestamp(until))
        }
        return .object(members)
    }

    static func secret(_ workspace: Workspace) -> JSONValue {
        var members: [String: JSONValue] = ["secret": .string(workspace.secret), "previousSecretValidUntil": .null]
        if let until = workspace.previousSecretValidUntil, until > StoreClock.now() {
            members["previousSecretValidUntil"] = .string(RecordJSON.timestamp(until))
        }
        return .object(members)
    }

    /// What is wrong with a PEM offered as the workspace's public key, or `nil` when it is an
    /// RSA or P-256 public key that tokens can be verified with.
    static func problem(publicKey pem: String) -> String? {
        let text = pem.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.contains("PRIVATE KEY") { return "is a private key; register the public key only (-----BEGIN PUBLIC KEY-----)" }
        guard text.hasPrefix("-----BEGIN PUBLIC KEY-----"), text.hasSuffix("-----END PUBLIC KEY-----") else {
            return "must be a PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----)"
        }
        if (try? Insecure.RSA.PublicKey(pem: text)) != nil || (try? ES256PublicKey(pem: text)) != nil { return nil }
        return "is not an RSA or P-256 (ES256) public key"
    }
}
