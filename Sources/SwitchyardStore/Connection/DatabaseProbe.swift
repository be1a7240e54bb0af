import GRDB
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import SwitchyardCore

/// Checks that the configured database answers a trivial query.
///
/// This is the `database` health check. It opens one short-lived connection rather than a
/// pool so that the real cause (refused, wrong password, unknown database, TLS failure) is
/// reported at once instead of being hidden behind pool retries.
package struct DatabaseProbe: Sendable {
    /// The database to probe.
    package let location: DatabaseLocation

    /// Creates a probe.
    /// - Parameter location: The database to probe.
    package init(location: DatabaseLocation) {
        self.location = location
    }

    /// Connects, runs `SELECT 1`, and disconnects.
    /// - Parameter logger: Where driver diagnostics go (debug level).
    /// - Throws: ``SwitchyardError`` with key `unavailable` and a message naming the cause;
    ///   never a driver error, never a password.
    package func check(logger: Logger) async throws(SwitchyardError) {
        switch location {
        case .sqlite(let path):
            try checkSQLite(path: path)
        case .postgres(let url):
            try await checkPostgres(url: url, logger: logger)
        }
    }

    private func checkSQLite(path: String) throws(SwitchyardError) {
        do {
            let queue = try DatabaseQueue(path: path)
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
        } catch {
            throw SwitchyardError(
                .unavailable,
                "cannot open SQLite database at \(path)",
                internalDetail: String(reflecting: error)
            )
        }
    }

    private func checkPostgres(url: PostgresURL, logger: Logger) async throws(SwitchyardError) {
        let configuration: PostgresConnection.Configuration
        do {
            configuration = try PostgresConnectionFactory.configuration(for: url)
        } catch {
            throw SwitchyardError(.unavailable, "cannot set up TLS for PostgreSQL: \(error)")
        }
        do {
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(),
                configuration: configuration,
                id: 0,
                logger: logger
            )
            defer { Task { try? await connection.close() } }
            _ = try await connection.query("SELECT 1", logger: logger).collect()
        } catch {
            throw SwitchyardError(
                .unavailable,
                "PostgreSQL at \(url.host):\(url.port): \(PostgresErrorDescription.describe(error))",
                internalDetail: String(reflecting: error)
            )
        }
    }
}
