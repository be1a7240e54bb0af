import NIOHTTP1
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardEngine
import Testing

/// How a connection's API client turns a call into the outbound request: OAuth 1.0a requests
/// are signed or refused, never sent unsigned, and the client's auth goes only to its own hosts.
@Suite("API client requests")
struct APIClientConfigTests {
    static let signer = OAuth1Signer(consumerKey: "consumer", consumerSecret: "consumer-secret", token: "token", tokenSecret: "token-secret")

    @Test(
        "An OAuth 1.0a request whose URL does not parse is refused with bad_request naming it, not sent unsigned",
        arguments: [
            ("http://127.0.0.1:notaport/api", "/me"),
            ("http://127.0.0.1:5000/api", "http://exa%mple.com/me"),
        ])
    func oauth1UnparseableURLIsRefused(baseURI: String, target: String) {
        let client = APIClientConfig(baseURI: baseURI, headers: [], query: [("api_key", "query-secret")], oauth1: Self.signer)
        do throws(SwitchyardError) {
            let request = try client.request(for: ExternalCall(method: .GET, target: target), secrets: [], tags: [:])
            Issue.record("an unsigned request was made: \(request.url) \(request.headers.first(name: "Authorization") ?? "no Authorization")")
        } catch {
            #expect(error.key == .badRequest, "\(error)")
            #expect(error.message.contains(target), "the error names the URL: \(error.message)")
            #expect(!error.message.contains("query-secret"), "the client's query parameters stay out of the error: \(error.message)")
        }
    }

    @Test("A signed OAuth 1.0a request carries its signature")
    func oauth1Signs() throws {
        let client = APIClientConfig(baseURI: "http://127.0.0.1:5000/api", headers: [], query: [], oauth1: Self.signer)
        let request = try client.request(for: ExternalCall(method: .GET, target: "/me"), secrets: [], tags: [:])
        #expect(request.headers.first(name: "Authorization")?.hasPrefix("OAuth ") == true, "\(request.headers)")
    }

    @Test("The client's auth goes to the base URI's host and port and to allowedHosts; any other host is access_denied naming it")
    func credentialHosts() throws {
        let client = APIClientConfig(
            baseURI: "https://api.example.com/v1", headers: [("X-Api-Key", "secret")], query: [],
            allowedHosts: [
                try ConnectorHostPattern("uploads.example.com"), try ConnectorHostPattern("*.files.example.net"),
                try ConnectorHostPattern("127.0.0.1:8081"),
            ]
        )
        for target in [
            "/tasks", "https://api.example.com/v2/tasks", "https://API.example.com:443/x", "https://uploads.example.com/u",
            "https://eu.files.example.net/f",
            "http://127.0.0.1:8081/x",
        ] {
            let request = try client.request(for: ExternalCall(method: .GET, target: target), secrets: [], tags: [:])
            #expect(request.headers.first(name: "X-Api-Key") == "secret", "\(target)")
        }
        for (target, host) in [
            ("https://evil.example/steal", "evil.example"), ("https://api.example.com:8443/x", "api.example.com:8443"),
            ("http://api.example.com/x", "api.example.com"),
            ("https://uploads.example.com.evil.example/x", "uploads.example.com.evil.example"), ("http://127.0.0.1:8082/x", "127.0.0.1:8082"),
            ("https://files.example.net/x", "files.example.net"),
        ] {
            do throws(SwitchyardError) {
                _ = try client.request(for: ExternalCall(method: .GET, target: target), secrets: [], tags: [:])
                Issue.record("\(target) was allowed")
            } catch {
                #expect(error.key == .accessDenied && error.message.contains(host) && error.data["host"] == host, "\(target): \(error)")
            }
        }
    }
}
