import Foundation
import SwitchyardCore

/// The parts of a `postgres://user:password@host:port/database?sslmode=…` URL.
///
/// `description` masks the password, so a `PostgresURL` can be logged.
package struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// How the connection uses TLS, as libpq's `sslmode` names it.
    package enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS without certificate verification.
        case require
        /// TLS, verifying the certificate chain and the host name.
        case verifyFull = "verify-full"
    }

    /// The server's host name or address.
    package var host: String
    /// The server's TCP port (default 5432).
    package var port: Int
    /// The role to log in as.
    package var username: String
    /// The role's password, if any.
    package var password: String?
    /// The database name (default: the user name).
    package var database: String
    /// The TLS mode (default `disable`).
    package var sslMode: SSLMode
    /// A PEM file of CA certificates to trust for `verify-full` (`sslrootcert`).
    package var rootCertificatePath: String?

    /// Parses a PostgreSQL URL.
    /// - Parameter value: The URL text.
    /// - Throws: ``SwitchyardError`` naming the part at fault. The password never appears in it.
    package static func parse(_ value: String) throws(SwitchyardError) -> PostgresURL {
        guard let components = URLComponents(string: value) else {
            throw SwitchyardError(.badRequest, "is not a valid URL (postgres://user:password@host:port/database)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw SwitchyardError(.badRequest, "has no host (postgres://user:password@host:port/database)")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw SwitchyardError(.badRequest, "port \(port) is out of range 1-65535")
        }
        guard let user = components.user?.removingPercentEncoding, !user.isEmpty else {
            throw SwitchyardError(.badRequest, "has no user name (postgres://user:password@host:port/database)")
        }
        let password = components.password?.removingPercentEncoding
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        database = database.removingPercentEncoding ?? database
        if database.isEmpty { database = user }
        var sslMode = SSLMode.disable
        var rootCertificatePath: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                let raw = item.value ?? ""
                guard let mode = SSLMode(rawValue: raw) else {
                    let allowed = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw SwitchyardError(.badRequest, "sslmode '\(raw)' is not one of \(allowed)")
                }
                sslMode = mode
            case "sslrootcert":
                rootCertificatePath = item.value
            default:
                throw SwitchyardError(
                    .badRequest,
                    "unknown URL parameter '\(item.name)'; supported: sslmode, sslrootcert"
                )
            }
        }
        return PostgresURL(
            host: host,
            port: port,
            username: user,
            password: password,
            database: database,
            sslMode: sslMode,
            rootCertificatePath: rootCertificatePath
        )
    }

    /// The URL with the password replaced by `****`.
    package var description: String {
        let credentials = password == nil ? username : "\(username):****"
        return "postgres://\(credentials)@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
    }
}
