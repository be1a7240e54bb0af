import Foundation
import Testing

import SwitchyardEngine

@Suite("OAuth 1.0a signatures")
struct OAuth1SignerTests {
    /// RFC 5849 §3.4.1.1's example request: query, form body and protocol parameters.
    static let url = URL(string: "http://EXAMPLE.COM:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b")!
    static let form = [("c2", ""), ("a3", "2 q")]
    static let oauth = [
        ("oauth_consumer_key", "9djdj82h48djs9d2"), ("oauth_token", "kkk9d7dh3k39sjv7"), ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131201"), ("oauth_nonce", "7d8f3e4a"),
    ]

    @Test("The signature base string is the RFC 5849 example's, byte for byte (host lower-cased, default port dropped, parameters sorted and encoded twice)")
    func baseStringMatchesTheRFC() {
        let parameters = Self.oauth + OAuth1Signer.queryParameters(Self.url) + Self.form
        #expect(
            OAuth1Signer.baseString(method: "post", url: Self.url, parameters: parameters)
                == "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
        )
    }

    @Test("HMAC-SHA1 over the base string with consumerSecret&tokenSecret matches an independent implementation (Python's hmac)")
    func signatureMatchesAnIndependentImplementation() {
        let signer = OAuth1Signer(consumerKey: "9djdj82h48djs9d2", consumerSecret: "j49sk3j29djd", token: "kkk9d7dh3k39sjv7", tokenSecret: "dh893hdasih9")
        let parameters = Self.oauth + OAuth1Signer.queryParameters(Self.url) + Self.form
        #expect(signer.sign(method: "POST", url: Self.url, parameters: parameters) == "r6/TJjbCOr97/+UU0NsvSne7s5g=")
    }

    @Test("The Authorization header carries every protocol parameter, percent-encoded, and a signature over them")
    func authorizationHeader() {
        let signer = OAuth1Signer(consumerKey: "key with space", consumerSecret: "s", token: "t", tokenSecret: "ts")
        let header = signer.authorization(method: "GET", url: URL(string: "https://api.example.com/items?x=1")!, extra: [("oauth_callback", "http://127.0.0.1/cb")], nonce: "n", timestamp: 1)
        #expect(header.hasPrefix("OAuth "))
        for part in ["oauth_consumer_key=\"key%20with%20space\"", "oauth_nonce=\"n\"", "oauth_timestamp=\"1\"", "oauth_token=\"t\"", "oauth_version=\"1.0\"",
            "oauth_callback=\"http%3A%2F%2F127.0.0.1%2Fcb\"", "oauth_signature=\""] {
            #expect(header.contains(part), "\(part) in \(header)")
        }
        #expect(OAuth1Signer.encode("a+b c/~é") == "a%2Bb%20c%2F~%C3%A9")
    }
}
