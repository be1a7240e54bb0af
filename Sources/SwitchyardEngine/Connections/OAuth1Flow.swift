import Foundation
import NIOHTTP1
import SwitchyardConnectors
import SwitchyardCore

/// The OAuth 1.0a three-legged flow (RFC 5849 §2): temporary credentials from the request
/// token endpoint (with the callback), the user's authorization at the provider, then token
/// credentials from the access token endpoint with the verifier. Every request is signed with
/// HMAC-SHA1 (``OAuth1Signer``).
package struct OAuth1Flow: Sendable {
    package var config: ConnectorOAuth1Config
    package var consumerKey: String
    package var consumerSecret: String
    package var http: OutboundHTTPClient
    /// Labels for the external API log.
    package var tags: [String: String] = [:]

    /// Creates a flow.
    package init(config: ConnectorOAuth1Config, consumerKey: String, consumerSecret: String, http: OutboundHTTPClient) {
        self.config = config
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.http = http
    }

    /// Temporary credentials, asking the provider to send the user back to `callback`.
    /// - Throws: `access_denied` when the provider refuses (wrong consumer key or secret),
    ///   `unavailable` when it cannot be reached.
    package func requestToken(callback: String) async throws(SwitchyardError) -> (token: String, secret: String) {
        guard let uri = config.requestTokenUri else { throw SwitchyardError(.badRequest, "the connector's oauth1 auth has no requestTokenUri") }
        let fields = try await post(
            uri, signer: OAuth1Signer(consumerKey: consumerKey, consumerSecret: consumerSecret), extra: [("oauth_callback", callback)],
            step: "request token")
        guard let token = fields["oauth_token"], let secret = fields["oauth_token_secret"] else {
            throw SwitchyardError(.unavailable, "the provider's request token answer has no oauth_token and oauth_token_secret")
        }
        if let confirmed = fields["oauth_callback_confirmed"], confirmed != "true" {
            throw SwitchyardError(.accessDenied, "the provider did not confirm the callback (oauth_callback_confirmed=\(confirmed))")
        }
        return (token, secret)
    }

    /// Where to send the user to authorize the temporary credentials.
    package func authorizationURL(token: String) throws(SwitchyardError) -> String {
        guard let uri = config.authorizeUri else { throw SwitchyardError(.badRequest, "the connector's oauth1 auth has no authorizeUri") }
        return PercentEncoding.appending(uri, [("oauth_token", token)])
    }

    /// Token credentials for authorized temporary credentials: `oauth_token`,
    /// `oauth_token_secret` and whatever else the provider sent (`user_id`, …).
    package func accessToken(token: String, secret: String, verifier: String) async throws(SwitchyardError) -> [String: String] {
        guard let uri = config.accessTokenUri else { throw SwitchyardError(.badRequest, "the connector's oauth1 auth has no accessTokenUri") }
        let signer = OAuth1Signer(consumerKey: consumerKey, consumerSecret: consumerSecret, token: token, tokenSecret: secret)
        let fields = try await post(uri, signer: signer, extra: [("oauth_verifier", verifier)], step: "access token")
        guard fields["oauth_token"] != nil, fields["oauth_token_secret"] != nil else {
            throw SwitchyardError(.unavailable, "the provider's access token answer has no oauth_token and oauth_token_secret")
        }
        return fields
    }

    private func post(_ uri: String, signer: OAuth1Signer, extra: [(String, String)], step: String) async throws(SwitchyardError) -> [String: String]
    {
        guard let url = URL(string: uri) else { throw SwitchyardError(.badRequest, "the connector's oauth1 \(step) URI is not a URL: \(uri)") }
        let authorization = signer.authorization(method: "POST", url: url, extra: extra)
        let headers = HTTPHeaders([("Authorization", authorization), ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "*/*")])
        var request = OutboundRequest(
            method: .POST, url: uri, headers: headers, body: [], secrets: [consumerSecret, signer.tokenSecret, authorization].filter { !$0.isEmpty },
            tags: tags.merging(["purpose": "oauth1-\(step.replacingOccurrences(of: " ", with: "-"))"]) { $1 }
        )
        // The answer is the token secret itself.
        request.logsBodies = false
        let response = try await http.send(request)
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let key: SwitchyardError.Key = status >= 500 || status == 429 ? .unavailable : .accessDenied
            throw SwitchyardError(key, "the provider answered \(status) to the OAuth 1.0 \(step) request: \(String(response.text.prefix(200)))")
        }
        var fields: [String: String] = [:]
        for (name, value) in OAuth1Signer.formParameters(response.text.trimmingCharacters(in: .whitespacesAndNewlines)) { fields[name] = value }
        return fields
    }
}
