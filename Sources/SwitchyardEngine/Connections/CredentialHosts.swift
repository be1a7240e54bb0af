import SwitchyardConnectors
import SwitchyardCore

/// Where a connection's credentials may go: the API client's base URI host (and port), and the
/// hosts its connector declares in the auth option's `allowedHosts`. Every request made with a
/// client's auth (the proxy, operations, data methods, actions, `externalApiClient`, refresh and
/// test functions) passes ``check(_:)`` before it is sent, so a full URL to any other host
/// never carries the headers, query parameters or signature `makeApiClient` and the auth type
/// add, whoever wrote the URL.
struct CredentialHosts: Sendable {
    /// The base URI's host and port, when it has a valid one.
    let base: (host: String, port: Int, text: String)?
    /// The connector's `allowedHosts`.
    let allowed: [ConnectorHostPattern]

    /// The rule for a client with this base URI and these declared hosts.
    init(baseURI: String?, allowed: [ConnectorHostPattern]) {
        if let baseURI, let url = try? OutboundURL(baseURI) {
            base = (url.host, url.port, url.hostHeader)
        } else {
            base = nil
        }
        self.allowed = allowed
    }

    /// Checks that `url` may carry the credentials.
    /// - Parameter target: What the caller asked for (named in errors instead of the URL, which
    ///   may carry the client's query parameters).
    /// - Throws: `bad_request` when the URL is not one that can be sent (naming what is wrong);
    ///   `access_denied` naming the host when it is neither the base URI's nor declared.
    func check(_ url: String, target: String) throws(SwitchyardError) {
        let parsed: OutboundURL
        do {
            parsed = try OutboundURL(url)
        } catch {
            throw SwitchyardError(error.key, "cannot send \(target): \(error.message)", data: ["target": target])
        }
        if let base, base.host == parsed.host, base.port == parsed.port { return }
        let defaultPort = parsed.scheme == "https" ? 443 : 80
        if allowed.contains(where: { $0.matches(host: parsed.host, port: parsed.port, defaultPort: defaultPort) }) { return }
        let host = parsed.hostHeader
        let known = ([base?.text].compactMap { $0 } + allowed.map(\.description)).joined(separator: ", ")
        throw SwitchyardError(
            .accessDenied,
            "the connection's credentials are not sent to \(host): it is neither the API's base URI host nor in the connector's allowedHosts"
                + (known.isEmpty ? " (the connector gives no base URI and declares no allowedHosts)" : " (\(known))")
                + "; declare the host in allowedHosts of the connector's auth in spec.yml to allow it",
            data: ["host": host]
        )
    }
}
