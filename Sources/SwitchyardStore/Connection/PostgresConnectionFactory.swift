import Foundation
import NIOSSL
import SwitchyardCore
import PostgresNIO

/// Turns a ``PostgresURL`` into postgres-nio connection settings, including TLS.
package enum PostgresConnectionFactory {
    /// Builds the connection configuration for a URL.
    /// - Parameter url: The parsed `DATABASE_URL`.
    /// - Returns: Settings for `PostgresConnection.connect` or `PostgresClient`.
    /// - Throws: When the TLS context cannot be built (for example an unreadable CA file).
    package static func configuration(for url: PostgresURL) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = try tlsConfiguration(for: url).map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable
        return PostgresConnection.Configuration(
            host: url.host,
            port: url.port,
            username: url.username,
            password: url.password,
            database: url.database,
            tls: tls
        )
    }

    /// The TLS settings `sslmode` asks for, or `nil` for `disable`: `require` encrypts without
    /// verifying; `verify-full` checks the chain (against `sslrootcert` when given) and the name.
    /// - Throws: When `sslrootcert` is not a readable file.
    package static func tlsConfiguration(for url: PostgresURL) throws(SwitchyardError) -> TLSConfiguration? {
        switch url.sslMode {
        case .disable:
            return nil
        case .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            return configuration
        case .verifyFull:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .fullVerification
            if let path = url.rootCertificatePath {
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw SwitchyardError(.unavailable, "sslrootcert \(path) is not a readable file")
                }
                configuration.trustRoots = .file(path)
            }
            return configuration
        }
    }
}
