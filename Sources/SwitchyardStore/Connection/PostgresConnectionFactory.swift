import NIOSSL
import PostgresNIO

/// Turns a ``PostgresURL`` into postgres-nio connection settings, including TLS.
package enum PostgresConnectionFactory {
    /// Builds the connection configuration for a URL.
    /// - Parameter url: The parsed `DATABASE_URL`.
    /// - Returns: Settings for `PostgresConnection.connect` or `PostgresClient`.
    /// - Throws: When the TLS context cannot be built (for example an unreadable CA file).
    package static func configuration(for url: PostgresURL) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch url.sslMode {
        case .disable:
            tls = .disable
        case .require:
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            tlsConfiguration.certificateVerification = .none
            tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
        case .verifyFull:
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            tlsConfiguration.certificateVerification = .fullVerification
            if let path = url.rootCertificatePath {
                tlsConfiguration.trustRoots = .file(path)
            }
            tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
        }
        return PostgresConnection.Configuration(
            host: url.host,
            port: url.port,
            username: url.username,
            password: url.password,
            database: url.database,
            tls: tls
        )
    }
}
