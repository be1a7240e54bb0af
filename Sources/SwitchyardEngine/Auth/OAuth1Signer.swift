import Crypto
import Foundation
import SwitchyardCore

/// OAuth 1.0a request signing with HMAC-SHA1 (RFC 5849 §3.4): the signature base string from
/// the method, the base URI and every parameter (query, form body, `oauth_*`), percent-encoded
/// as §3.6 says, signed with `consumerSecret&tokenSecret`.
package struct OAuth1Signer: Sendable {
    /// The client (consumer) key and secret.
    package var consumerKey: String
    package var consumerSecret: String
    /// The token and its secret (empty for the request-token step).
    package var token: String?
    package var tokenSecret: String

    /// Creates a signer.
    package init(consumerKey: String, consumerSecret: String, token: String? = nil, tokenSecret: String = "") {
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.token = token
        self.tokenSecret = tokenSecret
    }

    /// The `Authorization: OAuth …` header value for a request.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - url: The full URL, query included (its query parameters are signed).
    ///   - formParameters: `application/x-www-form-urlencoded` body parameters, which are signed too.
    ///   - extra: Further `oauth_*` parameters (`oauth_callback`, `oauth_verifier`).
    ///   - nonce: The nonce; random when `nil`.
    ///   - timestamp: Seconds since the epoch; now when `nil`.
    package func authorization(
        method: String, url: URL, formParameters: [(String, String)] = [], extra: [(String, String)] = [], nonce: String? = nil, timestamp: Int? = nil
    ) -> String {
        var protocolParameters: [(String, String)] = [
            ("oauth_consumer_key", consumerKey),
            ("oauth_nonce", nonce ?? UUID().uuidString.replacingOccurrences(of: "-", with: "")),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", String(timestamp ?? Int(Date().timeIntervalSince1970))),
            ("oauth_version", "1.0"),
        ]
        if let token { protocolParameters.append(("oauth_token", token)) }
        protocolParameters += extra
        let signature = sign(method: method, url: url, parameters: protocolParameters + Self.queryParameters(url) + formParameters)
        let all = protocolParameters + [("oauth_signature", signature)]
        return "OAuth " + all.map { "\(Self.encode($0.0))=\"\(Self.encode($0.1))\"" }.joined(separator: ", ")
    }

    /// The base64 HMAC-SHA1 signature of a request's signature base string.
    package func sign(method: String, url: URL, parameters: [(String, String)]) -> String {
        let key = SymmetricKey(data: Data("\(Self.encode(consumerSecret))&\(Self.encode(tokenSecret))".utf8))
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(Self.baseString(method: method, url: url, parameters: parameters).utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// The signature base string (§3.4.1).
    package static func baseString(method: String, url: URL, parameters: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = parameters.map { (name: encode($0.0), value: encode($0.1)) }
        let sorted = encoded.sorted { left, right in left.name == right.name ? left.value < right.value : left.name < right.name }
        let normalized = sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
        return [method.uppercased(), encode(baseURI(url)), encode(normalized)].joined(separator: "&")
    }

    /// Scheme and host in lower case, the port only when not the scheme's default, the path (§3.4.1.2).
    static func baseURI(_ url: URL) -> String {
        let scheme = (url.scheme ?? "http").lowercased()
        let host = (url.host ?? "").lowercased()
        var text = "\(scheme)://\(host)"
        if let port = url.port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) { text += ":\(port)" }
        let path = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? url.path
        return text + (path.isEmpty ? "/" : path)
    }

    /// The query's parameters, decoded (`+` is a space in form encoding).
    package static func queryParameters(_ url: URL) -> [(String, String)] {
        guard let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery, !query.isEmpty else { return [] }
        return formParameters(query)
    }

    /// The pairs of an `application/x-www-form-urlencoded` text (a form body or a query).
    package static func formParameters(_ text: String) -> [(String, String)] {
        FormURLEncoding.decode(text).map { ($0.name, $0.value) }
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters (§3.6).
    package static func encode(_ text: String) -> String { PercentEncoding.encode(text) }
}
