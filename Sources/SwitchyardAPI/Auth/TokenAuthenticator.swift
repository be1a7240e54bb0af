import Foundation
import JWTKit
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore
import Synchronization

/// Turns a bearer token into a ``Caller``, or a `not_authenticated` error that says what is
/// wrong with it. Tenant tokens are signed by the SaaS backend with its workspace secret
/// (HS256/HS512) or against a registered public key (RS256/ES256); the tenant is created on
/// first sight and its name and fields follow the token. Platform admin tokens
/// (`switchyard token --admin`) act on the default workspace.
package final class TokenAuthenticator: Sendable {
    /// Checks a platform admin token's signature (from `SECRET`).
    package typealias PlatformVerifier = @Sendable (String) async -> Bool

    /// The workspaces tokens name.
    let directory: WorkspaceDirectory
    private let tenants: TenantDirectory
    private let maxLifetime: Duration
    private let verifyPlatformToken: PlatformVerifier
    private let keyCache = Mutex<[String: (fingerprint: String, keys: JWTKeyCollection)]>([:])
    private let verified = VerifiedTokens()

    static let acceptedAlgorithms: Set<String> = ["HS256", "HS512", "RS256", "ES256"]

    /// Creates an authenticator.
    /// - Parameters:
    ///   - maxLifetime: Tokens valid for longer than this (from now) are refused.
    ///   - verifyPlatformToken: Verifies `switchyard token --admin` tokens.
    package init(directory: WorkspaceDirectory, tenants: TenantDirectory, maxLifetime: Duration, verifyPlatformToken: @escaping PlatformVerifier) {
        self.directory = directory
        self.tenants = tenants
        self.maxLifetime = maxLifetime
        self.verifyPlatformToken = verifyPlatformToken
    }

    /// Verifies a token.
    /// - Throws: `not_authenticated` naming the problem.
    package func authenticate(_ token: String) async throws(SwitchyardError) -> Caller {
        let now = Date().timeIntervalSince1970
        if let caller = try await remembered(token, now: now) { return caller }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.json(parts[0]), case .object = header, let payload = Self.json(parts[1]), case .object = payload
        else {
            throw Self.refused("the token is malformed (expected a JWT: three base64url parts with a JSON header and payload)")
        }
        guard let algorithm = header["alg"]?.stringValue else { throw Self.refused("the token is malformed (its header names no alg)") }
        if algorithm.lowercased() == "none" { throw Self.refused("unsigned tokens (alg none) are not accepted") }
        guard Self.acceptedAlgorithms.contains(algorithm) else {
            throw Self.refused("tokens signed with \(algorithm) are not accepted (use HS256, HS512, RS256 or ES256)")
        }
        if payload["iss"] == "switchyard", payload["isAdmin"] == .bool(true) {
            guard await verifyPlatformToken(token) else { throw Self.refused("the admin token's signature is not valid, or it has expired") }
            let (workspace, _) = try await directory.defaultWorkspace()
            return Caller(workspaceID: workspace.key, tenantID: nil, tenantKey: nil, isAdmin: true)
        }
        guard let workspaceKey = payload["workspaceKey"]?.stringValue ?? payload["iss"]?.stringValue else {
            throw Self.refused("the token names no workspace (set iss or workspaceKey to the workspace key)")
        }
        let workspace: Workspace
        do {
            workspace = try await directory.workspace(key: workspaceKey)
        } catch where error.key == .notFound {
            throw Self.refused("no workspace has key \(workspaceKey)")
        }
        let claims: TenantTokenClaims
        do {
            claims = try await keys(for: workspace).verify(token, as: TenantTokenClaims.self, iteratingKeys: true)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed || error.errorType == .unknownKID {
            throw Self.refused("the token's signature is not valid for workspace \(workspaceKey)")
        } catch {
            throw Self.refused("the token could not be verified: its claims are malformed or its signature is not valid")
        }
        guard let exp = claims.exp else { throw Self.refused("the token has no exp claim; tokens must expire") }
        if exp <= now { throw Self.refused("the token expired at \(Date(timeIntervalSince1970: exp).formatted(.iso8601))") }
        let longest = Double(maxLifetime.components.seconds)
        if exp - now > longest + 60 {
            throw Self.refused("the token is valid for \(Int(exp - now)) s, longer than the \(Int(longest)) s allowed; mint shorter-lived tokens")
        }
        guard let tenantKey = claims.tenant else {
            guard claims.isAdmin else {
                throw Self.refused("the token names no tenant (set id or tenantKey) and is not an admin token (isAdmin: true)")
            }
            let caller = Caller(workspaceID: workspace.key, tenantID: nil, tenantKey: nil, isAdmin: true)
            verified.remember(token, .init(caller: caller, expires: exp, fingerprint: Self.fingerprint(workspace), tenant: nil), now: now)
            return caller
        }
        guard !tenantKey.isEmpty, tenantKey.count <= 256 else { throw Self.refused("the token's tenant id must be 1 to 256 characters") }
        let tenant = try await tenants.ensure(workspaceID: workspace.key, key: tenantKey, name: claims.name, fields: claims.fields)
        let caller = Caller(workspaceID: workspace.key, tenantID: tenant.id, tenantKey: tenantKey, isAdmin: false)
        let claimed = VerifiedTokens.TenantClaims(key: tenantKey, name: claims.name, fields: claims.fields)
        verified.remember(token, .init(caller: caller, expires: exp, fingerprint: Self.fingerprint(workspace), tenant: claimed), now: now)
        return caller
    }

    /// The caller of a token this process verified a moment ago, if its workspace still accepts
    /// the same keys; a tenant token's tenant is confirmed as on full verification.
    private func remembered(_ token: String, now: Double) async throws(SwitchyardError) -> Caller? {
        guard let entry = verified.entry(token, now: now) else { return nil }
        guard let workspace = try? await directory.workspace(key: entry.caller.workspaceID), Self.fingerprint(workspace) == entry.fingerprint
        else {
            verified.forget(token)
            return nil
        }
        guard let tenant = entry.tenant else { return entry.caller }
        do {
            _ = try await tenants.ensure(workspaceID: workspace.key, key: tenant.key, name: tenant.name, fields: tenant.fields)
        } catch {
            verified.forget(token)
            throw error
        }
        return entry.caller
    }

    /// What identifies the keys a workspace's tokens verify against now: its accepted secrets
    /// and its public key.
    static func fingerprint(_ workspace: Workspace) -> String {
        workspace.acceptedSecrets().joined(separator: ":") + "|" + (workspace.publicKeyPEM ?? "")
    }

    /// The verification keys of a workspace, rebuilt when its secrets or public key change.
    private func keys(for workspace: Workspace) async throws -> JWTKeyCollection {
        let secrets = workspace.acceptedSecrets()
        let fingerprint = Self.fingerprint(workspace)
        if let cached = keyCache.withLock({ $0[workspace.key] }), cached.fingerprint == fingerprint { return cached.keys }
        let keys = JWTKeyCollection()
        for (index, secret) in secrets.enumerated() {
            await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: "hs256-\(index)"))
            await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha512, kid: JWKIdentifier(string: "hs512-\(index)"))
        }
        if let pem = workspace.publicKeyPEM {
            if let rsa = try? Insecure.RSA.PublicKey(pem: pem) {
                await keys.add(rsa: rsa, digestAlgorithm: .sha256, kid: "rs256")
            } else if let ec = try? ES256PublicKey(pem: pem) {
                await keys.add(ecdsa: ec, kid: "es256")
            }
        }
        keyCache.withLock { $0[workspace.key] = (fingerprint, keys) }
        return keys
    }

    private static func json(_ part: Substring) -> JSONValue? {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let string = String(data: data, encoding: .utf8) else { return nil }
        return try? JSONValue.parse(string)
    }

    static func refused(_ message: String) -> SwitchyardError {
        SwitchyardError(.notAuthenticated, message)
    }
}
