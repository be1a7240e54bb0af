import NIOCore
import PostgresNIO

/// Client-safe, one-line descriptions of PostgreSQL connection failures.
///
/// `PSQLError.description` is deliberately generic; this digs out the server's own message
/// (wrong password, unknown database) or the socket error (connection refused) without
/// including queries or credentials.
package enum PostgresErrorDescription {
    /// Describes an error thrown while connecting to or querying PostgreSQL.
    /// - Parameter error: Any error from postgres-nio.
    /// - Returns: A short description, such as `connection refused` or the server's message.
    package static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                let state = psql.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + state
            }
            if let underlying = psql.underlying {
                return describe(underlying)
            }
            return "\(psql.code)"
        }
        if let ioError = error as? IOError {
            return ioError.description
        }
        if error is NIOConnectionError {
            return "connection refused or host unreachable"
        }
        return String(describing: error)
    }
}
