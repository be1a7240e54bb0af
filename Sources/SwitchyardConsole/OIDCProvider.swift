import AsyncHTTPClient
import Foundation
import JWTKit
import NIOCore
import NIOHTTP1
import Synchronization

/// The console's view of one OpenID provider: its discovery document and keys (both cached),
/// the code exchange, and the ID token checks.
///
/// The discovery document is read from `<issuer>/.well-known/openid-configuration`, kept for
/// ``cacheLifetime``, and refused unless its `issuer` equals the configured one. The keys come
/// from its `jwks_uri`; a token signed with a key id the cached set lacks makes one refetch
/// (the provider rotated its keys).
final class OIDCProvider: Sendable {
    /// How long the discovery document and the keys are kept.
    static let cacheLifetime: Duration = .seconds(3600)
    /// Clock skew tolerated on `exp` and `iat`.
    static let leeway: TimeInterval = 60
    /// The largest answer read from the provider.
    static let maxAnswerBytes = 1 << 20

    /// The provider and the console's client there.
    let settings: OIDCSettings
    /// Sign-ins started per client address: each stores a pending record, so a flood of them
    /// from one address is refused.
    let starts = LoginThrottle(limit: 30, window: .seconds(600))
    private let client: HTTPClient
    private let cache = Mutex(Cache())

    private struct Cache {
        var discovery: (document: OIDCDiscovery, at: ContinuousClock.Instant)?
        var keys: (collection: JWTKeyCollection, ids: Set<String>, at: ContinuousClock.Instant)?
    }

    /// Creates the provider.
    /// - Parameter client: The HTTP client for the provider's endpoints.
    init(settings: OIDCSettings, client: HTTPClient = .shared) {
        self.settings = settings
        self.client = client
    }

    /// The discovery document, from the cache when fresh.
    /// - Throws: ``OIDCFailure/unavailable(_:)`` naming what went wrong.
    func discovery() async throws(OIDCFailure) -> OIDCDiscovery {
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0.discovery }), now - cached.at < Self.cacheLifetime { return cached.document }
        let body = try await get(settings.discoveryURL, what: "the discovery document")
        let document: OIDCDiscovery
        do {
            document = try JSONDecoder().decode(OIDCDiscovery.self, from: body)
        } catch {
            throw .unavailable("the discovery document at \(settings.discoveryURL) is not an OpenID configuration: \(error)")
        }
        guard document.issuer == settings.issuer else {
            throw .unavailable("the discovery document names issuer '\(document.issuer)', not the configured '\(settings.issuer)'")
        }
        for (name, url) in [("authorization_endpoint", document.authorizationEndpoint), ("token_endpoint", document.tokenEndpoint),
            ("jwks_uri", document.jwksURI)] where !Self.isHTTPURL(url) {
            throw .unavailable("the discovery document's \(name) '\(url)' is not an http(s) URL")
        }
        cache.withLock { $0.discovery = (document, now) }
        return document
    }

    /// Exchanges an authorization code for the ID token (client secret and PKCE verifier).
    /// - Returns: The ID token, unverified.
    /// - Throws: ``OIDCFailure/unavailable(_:)`` when the token endpoint refuses or fails.
    func exchange(code: String, verifier: String, discovery: OIDCDiscovery) async throws(OIDCFailure) -> String {
        var fields = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", settings.redirectURI), ("code_verifier", verifier)]
        var request = HTTPClientRequest(url: discovery.tokenEndpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if discovery.postsClientSecret {
            fields += [("client_id", settings.clientID), ("client_secret", settings.clientSecret)]
        } else {
            let credentials = Self.formEncode(settings.clientID) + ":" + Self.formEncode(settings.clientSecret)
            request.headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        }
        request.body = .bytes(ByteBuffer(string: fields.map { Self.formEncode($0.0) + "=" + Self.formEncode($0.1) }.joined(separator: "&")))
        let (status, body) = try await send(request, what: "the token endpoint")
        let answer = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        guard status == 200, let idToken = answer?["id_token"] as? String, !idToken.isEmpty else {
            let error = (answer?["error"] as? String).map { " error=\($0.prefix(100))" } ?? ""
            let description = (answer?["error_description"] as? String).map { " (\($0.prefix(300)))" } ?? ""
            let missing = status == 200 ? " without an id_token" : ""
            throw .unavailable("the token endpoint \(discovery.tokenEndpoint) answered \(status)\(missing)\(error)\(description)")
        }
        return idToken
    }

    /// Checks an ID token: signature against the issuer's keys, `aud` (the client id), `iss`,
    /// `exp`, `iat` and `nonce`; then reads the email (an `email_verified` of false is refused).
    /// - Throws: ``OIDCFailure/idToken(_:)`` or ``OIDCFailure/email(_:)`` naming the failed check.
    func verify(idToken: String, nonce: String, discovery: OIDCDiscovery) async throws(OIDCFailure) -> OIDCIdentity {
        let kid = Self.keyID(of: idToken)
        var keys = try await signingKeys(discovery, refresh: false)
        if let kid, !keys.ids.contains(kid) {
            keys = try await signingKeys(discovery, refresh: true)
            guard keys.ids.contains(kid) else { throw .idToken("it is signed with key '\(kid)', which the issuer's JWKS does not have") }
        }
        let token: OIDCIDToken
        do {
            token = try await keys.collection.verify(idToken, as: OIDCIDToken.self, expectedAudience: settings.clientID, iteratingKeys: kid == nil)
        } catch let error as JWTError {
            switch error.errorType {
            case .signatureVerificationFailed: throw .idToken("its signature does not match the issuer's keys")
            case .claimVerificationFailure: throw .idToken("wrong audience: \(error.reason ?? "aud does not name the client id")")
            default: throw .idToken("it is not a valid signed JWT: \(error.errorType)")
            }
        } catch {
            throw .idToken("it is not a valid signed JWT: \(error)")
        }
        let now = Date()
        guard token.issuer.value == settings.issuer else { throw .idToken("iss is '\(token.issuer.value)', not '\(settings.issuer)'") }
        guard token.expires.value.timeIntervalSince(now) > -Self.leeway else {
            throw .idToken("it expired at \(token.expires.value) (now \(now))")
        }
        guard token.issuedAt.value.timeIntervalSince(now) < Self.leeway else {
            throw .idToken("it is issued in the future (iat \(token.issuedAt.value))")
        }
        guard let sent = token.nonce, Self.same(sent, nonce) else { throw .idToken("its nonce is not the one this sign-in sent") }
        guard let email = token.email?.trimmingWhitespace().lowercased(), !email.isEmpty, email.contains("@") else {
            throw .email("the ID token of subject \(token.subject.value) has no email claim (ask for the email scope)")
        }
        if token.emailVerified?.value == false { throw .email("\(email) is not verified at the provider (email_verified is false)") }
        return OIDCIdentity(email: email, name: token.name?.trimmingWhitespace())
    }

    /// The issuer's keys: the cached set, or a fresh one when asked or stale.
    private func signingKeys(
        _ discovery: OIDCDiscovery, refresh: Bool
    ) async throws(OIDCFailure) -> (collection: JWTKeyCollection, ids: Set<String>) {
        let now = ContinuousClock.now
        if !refresh, let cached = cache.withLock({ $0.keys }), now - cached.at < Self.cacheLifetime { return (cached.collection, cached.ids) }
        let body = try await get(discovery.jwksURI, what: "the issuer's keys (jwks_uri)")
        let collection = JWTKeyCollection()
        let jwks: JWKS
        do {
            jwks = try JSONDecoder().decode(JWKS.self, from: body)
        } catch {
            throw .unavailable("the keys at \(discovery.jwksURI) are not a JWK set: \(error)")
        }
        // Keys of a type jwt-kit cannot use (or without a key id) are left out, not fatal.
        var ids = Set<String>()
        for key in jwks.keys {
            guard let id = key.keyIdentifier?.string, (try? await collection.add(jwk: key)) != nil else { continue }
            ids.insert(id)
        }
        guard !ids.isEmpty else { throw .unavailable("the JWK set at \(discovery.jwksURI) has no usable signing key with a key id") }
        cache.withLock { $0.keys = (collection, ids, now) }
        return (collection, ids)
    }

    /// A `GET` whose answer must be 200 JSON.
    private func get(_ url: String, what: String) async throws(OIDCFailure) -> Data {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let (status, body) = try await send(request, what: what)
        guard status == 200 else { throw .unavailable("\(what) at \(url) answered HTTP \(status)") }
        return body
    }

    /// Sends a request with a time limit and reads at most ``maxAnswerBytes``.
    private func send(_ request: HTTPClientRequest, what: String) async throws(OIDCFailure) -> (UInt, Data) {
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: Self.maxAnswerBytes)
            return (response.status.code, Data(body.readableBytesView))
        } catch {
            throw .unavailable("\(what) at \(request.url) could not be read: \(error)")
        }
    }

    /// The `kid` in a JWT's header, if it has one.
    static func keyID(of token: String) -> String? {
        guard let header = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            return nil
        }
        return object["kid"] as? String
    }

    /// Whether a text is an absolute http(s) URL.
    static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), let host = url.host else { return false }
        return (scheme == "https" || scheme == "http") && !host.isEmpty
    }

    /// Compares two values in constant time.
    static func same(_ given: String, _ expected: String) -> Bool { ConsoleSessionMiddleware.sameToken(given, expected) }

    /// Percent-encodes everything but the RFC 3986 unreserved characters (form and Basic
    /// credentials encoding, RFC 6749 §2.3.1).
    static func formEncode(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
