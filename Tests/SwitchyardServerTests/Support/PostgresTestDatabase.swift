import Foundation
import SwitchyardCore
import Testing

/// A database of its own on the test PostgreSQL server, made and dropped with `psql`.
struct PostgresTestDatabase {
    let name: String
    let admin: URLComponents

    static func create(adminURL: String) throws -> PostgresTestDatabase {
        let admin = try #require(URLComponents(string: adminURL))
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let database = PostgresTestDatabase(name: name, admin: admin)
        try database.psql("CREATE DATABASE \(name)")
        return database
    }

    /// The database's URL through a given port (the real one, or a proxy's).
    func url(port: Int) -> String {
        "postgres://\(admin.user ?? "postgres")@\(admin.host ?? "127.0.0.1"):\(port)/\(name)"
    }

    func drop() {
        try? psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    private func psql(_ sql: String) throws {
        let psql = try #require(TestEnvironment.tool("psql"), "psql (Debian: postgresql-client) is not installed")
        let status = try ProcessLaunch.runToCompletion(
            psql,
            ["-h", admin.host ?? "127.0.0.1", "-p", String(admin.port ?? 5432), "-U", admin.user ?? "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql]
        )
        #expect(status == 0, "psql failed: \(sql)")
    }
}
