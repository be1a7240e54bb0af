import Foundation

/// A web origin as browsers compare them: `scheme://host[:port]`, lowercased, without a default
/// port, path, query or fragment. The UI's embedding allow-list holds these.
package enum WebOrigin {
    /// The allow-list entry meaning any origin (refused in production).
    package static let any = "*"

    /// The normalized origin of `text`, or what is wrong with it.
    /// - Parameter allowAny: Whether `*` is accepted.
    package static func parse(_ text: String, allowAny: Bool) -> Result<String, OriginProblem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == any {
            return allowAny ? .success(any) : .failure(OriginProblem("* (any origin) is not allowed in production; list each origin"))
        }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host?.lowercased(), !host.isEmpty
        else {
            return .failure(OriginProblem("\(trimmed) is not an origin such as https://app.example.com or http://127.0.0.1:8080"))
        }
        guard components.path.isEmpty || components.path == "/", components.query == nil, components.fragment == nil,
            components.user == nil, components.password == nil, !host.contains("*")
        else {
            return .failure(OriginProblem("\(trimmed) must be an origin only: scheme, host and port, no path, query or wildcard"))
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        let port = components.port.flatMap { $0 == defaultPort ? nil : $0 }
        return .success("\(scheme)://\(hostPart)" + (port.map { ":\($0)" } ?? ""))
    }
}

/// Why a text is not an origin, in words for the person who wrote it.
package struct OriginProblem: Error, Equatable {
    /// The message.
    package var message: String

    /// Creates a problem.
    package init(_ message: String) { self.message = message }
}
