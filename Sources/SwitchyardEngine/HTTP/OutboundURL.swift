import Foundation
import SwitchyardCore

/// A request URL checked for what the client sends: http or https, a host, no user info, and a
/// host written plainly (ASCII letters, digits, `.`, `-`, `_`, or a bracketed IPv6 address
/// without zone). The host is read with Foundation's `URL`, as async-http-client reads it.
struct OutboundURL: Sendable, Hashable {
    /// The URL as given.
    let text: String
    /// `http` or `https`.
    let scheme: String
    /// The host, lowercase, IPv6 without brackets.
    let host: String
    /// The port, explicit or the scheme's default.
    let port: Int
    /// Whether the URL names the port.
    let hasExplicitPort: Bool
    /// The percent-encoded path (at least `/`) and query, as sent in the request line.
    let pathAndQuery: String

    init(_ text: String) throws(SwitchyardError) {
        guard let url = URL(string: text), let components = URLComponents(string: text) else {
            throw SwitchyardError(.badRequest, "the outbound URL is not a valid URL")
        }
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            let scheme = url.scheme.map { "'\($0)'" } ?? "none"
            throw SwitchyardError(
                .accessDenied, "only http and https URLs can be requested; this URL's scheme is \(scheme)",
                data: ["scheme": url.scheme ?? ""])
        }
        guard components.user == nil, components.password == nil else {
            throw SwitchyardError(
                .badRequest, "the outbound URL has user info (user:password@); send credentials in a header instead")
        }
        guard var host = url.host, !host.isEmpty else {
            throw SwitchyardError(.badRequest, "the outbound URL has no host")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        host = host.lowercased()
        if host.contains(":") {
            guard case .v6? = IPAddress(host) else {
                throw SwitchyardError(
                    .badRequest, "the outbound URL's host is not a valid IPv6 address (zone ids are not accepted)")
            }
        } else {
            let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-_")
            guard host.allSatisfy({ allowed.contains($0) }) else {
                throw SwitchyardError(
                    .badRequest,
                    "the outbound URL's host has characters other than letters, digits, '.', '-' and '_' (write international names in their xn-- form)")
            }
        }
        self.text = text
        self.scheme = scheme
        self.host = host
        self.hasExplicitPort = url.port != nil
        self.port = url.port ?? (scheme == "https" ? 443 : 80)
        var path = components.percentEncodedPath
        if path.isEmpty { path = "/" }
        if let query = components.percentEncodedQuery { path += "?" + query }
        self.pathAndQuery = path
    }

    /// The `Host` header value: the host (bracketed when IPv6) and the port when it is not the
    /// scheme's default.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        return port == defaultPort ? name : "\(name):\(port)"
    }

    /// Scheme, host and port: a redirect to another origin drops credentials.
    var origin: String { "\(scheme)://\(hostHeader)" }

    /// The URL that connects to `address` instead of resolving the host again (plain http only;
    /// the caller sets ``hostHeader`` as `Host`).
    func pinned(to address: IPAddress) -> String {
        "\(scheme)://\(address.urlHost):\(port)\(pathAndQuery)"
    }

    /// Resolves a `Location` header against this URL.
    func resolving(location: String) throws(SwitchyardError) -> OutboundURL {
        guard let base = URL(string: text), let target = URL(string: location, relativeTo: base)?.absoluteURL else {
            throw SwitchyardError(.unavailable, "\(host) answered with a redirect to an invalid URL", data: ["host": host])
        }
        return try OutboundURL(target.absoluteString)
    }
}
