/// One entry of an auth option's `allowedHosts`: a host that may receive a connection's
/// credentials besides the API client's base URI host.
///
/// Written `host`, `host:port` or `*.domain` (any subdomain of `domain`, at any depth, not
/// `domain` itself), optionally with `:port`; an IPv6 address goes in brackets (`[::1]:8080`).
/// Without a port the entry matches the scheme's default port only (443 for https, 80 for http).
/// Names are compared lowercase.
package struct ConnectorHostPattern: Sendable, Hashable, CustomStringConvertible {
    /// The host, lowercase, IPv6 without brackets; for a wildcard, the domain after `*.`.
    package let host: String
    /// Whether the entry is `*.host`.
    package let wildcard: Bool
    /// The port, when the entry names one.
    package let port: Int?

    /// Reads an entry.
    /// - Throws: ``Invalid`` saying what is wrong with it.
    package init(_ text: String) throws(Invalid) {
        var rest = Substring(text.lowercased())
        guard !rest.isEmpty else { throw Invalid("must not be empty") }
        guard !rest.contains("/") else {
            throw Invalid("must be a host name, optionally with :port, with no scheme or path (api.example.com, not \(text))")
        }
        wildcard = rest.hasPrefix("*.")
        if wildcard { rest = rest.dropFirst(2) }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw Invalid("\(text): an IPv6 address needs its closing ]") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw Invalid("\(text): only :port may follow the ]") }
                portText = after.dropFirst()
            }
            guard !wildcard else { throw Invalid("\(text): a wildcard cannot go with an IP address") }
            guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw Invalid("\(text): the part in brackets is not an IPv6 address")
            }
        } else {
            let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw Invalid("\(text): put an IPv6 address in brackets ([::1]:8080)") }
            host = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
            let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-_")
            guard !host.isEmpty, host.allSatisfy({ allowed.contains($0) }), !host.hasPrefix("."), !host.hasSuffix("."), !host.contains("..") else {
                throw Invalid("\(text): a host name has letters, digits, '.', '-' and '_' only (write international names in their xn-- form)")
            }
            guard !wildcard || host.contains(".") else { throw Invalid("\(text): a wildcard needs a domain with a dot after *. (*.example.com)") }
        }
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port), portText.allSatisfy(\.isASCII) else {
                throw Invalid("\(text): the port must be a number from 1 to 65535")
            }
            self.port = port
        } else {
            port = nil
        }
        self.host = String(host)
    }

    /// Whether a request to `host` (lowercase, IPv6 without brackets) on `port` may carry the
    /// credentials; `defaultPort` is the request scheme's (443 or 80).
    package func matches(host requested: String, port requestedPort: Int, defaultPort: Int) -> Bool {
        guard requestedPort == (port ?? defaultPort) else { return false }
        return wildcard ? requested.hasSuffix("." + host) : requested == host
    }

    /// The entry as written, normalized (lowercase).
    package var description: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return (wildcard ? "*." : "") + name + (port.map { ":\($0)" } ?? "")
    }

    /// Why an entry is not a host pattern.
    package struct Invalid: Error, Sendable {
        /// What is wrong.
        package let message: String

        init(_ message: String) { self.message = message }
    }
}
