import Foundation
import NIOHTTP1
import SwitchyardConnectors
import SwitchyardCore

/// The OAuth 2.0 requests of a connector: the authorization URL (with PKCE unless the
/// connector says `skipPkce`), the code exchange, the refresh and the client-credentials grant,
/// each authenticating the client in the header (HTTP Basic) or the body as the connector says.
package struct OAuth2Flow: Sendable {
    package var config: ConnectorOAuth2Config
    package var clientID: String
    package var clientSecret: String
    package var http: OutboundHTTPClient
    /// Tags of the token requests in the external API log (`workspace`, `tenant`, `connection`).
    package var tags: [String: String] = [:]

    /// Creates the flow of one integration's OAuth client.
    package init(config: ConnectorOAuth2Config, clientID: String, clientSecret: String, http: OutboundHTTPClient) {
        self.config = config
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.http = http
    }

    /// The URL the user's browser goes to.
    /// - Throws: `bad_request` when the connector names no authorization URI.
    package func authorizationURL(redirectURI: String, state: String, pkce: PKCE?) throws(SwitchyardError) -> String {
        guard let authorize = config.authorizeUri, var components = URLComponents(string: authorize) else {
            throw SwitchyardError(.badRequest, "the connector's oauth2 auth has no valid authorizeUri")
        }
        var items = components.queryItems ?? []
        items += [
            URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: clientID),
            URLQueryItem(name: "redirect_uri", value: redirectURI), URLQueryItem(name: "state", value: state),
        ]
        if !config.scopes.isEmpty { items.append(URLQueryItem(name: "scope", value: config.scopes.joined(separator: " "))) }
        if let pkce {
            items += [URLQueryItem(name: "code_challenge", value: pkce.challenge), URLQueryItem(name: "code_challenge_method", value: PKCE.method)]
        }
        for (name, value) in config.extra.sorted(by: { $0.key < $1.key }) {
            if let text = value.stringValue ?? (value == .null ? nil : value.jsonText) { items.append(URLQueryItem(name: name, value: text)) }
        }
        components.queryItems = items
        // URLComponents leaves + and other reserved characters alone in the query.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.string else { throw SwitchyardError(.badRequest, "the connector's authorizeUri cannot take query parameters") }
        return url
    }

    /// Exchanges an authorization code.
    package func exchange(code: String, redirectURI: String, verifier: String?) async -> OAuth2TokenResponse.Outcome {
        var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)]
        if let verifier { form.append(("code_verifier", verifier)) }
        return await token(form, previous: nil)
    }

    /// Refreshes with the stored refresh token.
    package func refresh(_ credentials: OAuth2Credentials) async -> OAuth2TokenResponse.Outcome {
        guard let refreshToken = credentials.refreshToken else {
            return .refused(error: "no_refresh_token", description: "the connection has no refresh token; it must be connected again")
        }
        return await token([("grant_type", "refresh_token"), ("refresh_token", refreshToken)], previous: credentials)
    }

    /// The client-credentials grant.
    package func clientCredentials() async -> OAuth2TokenResponse.Outcome {
        var form = [("grant_type", "client_credentials")]
        if !config.scopes.isEmpty { form.append(("scope", config.scopes.joined(separator: " "))) }
        return await token(form, previous: nil)
    }

    /// Revokes a token at the connector's `revokeUri` (RFC 7009).
    /// - Throws: `unavailable` when the provider cannot be reached or answers with an error.
    package func revoke(_ credentials: OAuth2Credentials) async throws(SwitchyardError) {
        guard let revokeURI = config.revokeUri else { return }
        let (token, hint) = credentials.refreshToken.map { ($0, "refresh_token") } ?? (credentials.accessToken, "access_token")
        let (headers, body) = clientAuthenticated([("token", token), ("token_type_hint", hint)])
        let response = try await http.send(
            OutboundRequest(method: .POST, url: revokeURI, headers: headers, body: Array(body.utf8), secrets: [clientSecret, token], tags: tags.merging(["purpose": "oauth2-revoke"]) { $1 })
        )
        guard (200..<300).contains(Int(response.status.code)) else { throw SwitchyardError(.unavailable, "the provider answered \(response.status.code) to the revocation") }
    }

    /// A token-endpoint form with the client's authentication where the connector puts it.
    private func clientAuthenticated(_ form: [(String, String)]) -> (HTTPHeaders, String) {
        var fields = form
        var headers = HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")])
        switch config.clientAuthLocation {
        case .header:
            let basic = Data("\(Self.formEncode(clientID)):\(Self.formEncode(clientSecret))".utf8).base64EncodedString()
            headers.add(name: "Authorization", value: "Basic \(basic)")
        case .body:
            fields += [("client_id", clientID), ("client_secret", clientSecret)]
        }
        return (headers, fields.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&"))
    }

    private func token(_ form: [(String, String)], previous: OAuth2Credentials?) async -> OAuth2TokenResponse.Outcome {
        guard let tokenURI = config.tokenUri else { return .refused(error: "configuration", description: "the connector's oauth2 auth has no tokenUri") }
        let (headers, body) = clientAuthenticated(form)
        let secrets = [clientSecret] + form.filter { ["code", "refresh_token", "code_verifier"].contains($0.0) }.map(\.1)
        do {
            let response = try await http.send(
                OutboundRequest(method: .POST, url: tokenURI, headers: headers, body: Array(body.utf8), secrets: secrets, tags: tags.merging(["purpose": "oauth2-token"]) { $1 })
            )
            return OAuth2TokenResponse.read(status: Int(response.status.code), body: response.body, now: Date().timeIntervalSince1970, previous: previous)
        } catch {
            return .transient(error.message)
        }
    }

    /// `application/x-www-form-urlencoded` encoding (RFC 6749 Appendix B).
    static func formEncode(_ text: String) -> String { PercentEncoding.encode(text) }
}
