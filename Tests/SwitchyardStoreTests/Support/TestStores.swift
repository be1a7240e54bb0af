import Foundation
import Logging
import PostgresNIO
import Testing

import SwitchyardCore
@testable import SwitchyardStore

/// The backends the conformance suite runs against.
enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static let requireAll = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_REQUIRE_ALL"] == "1"
    static let postgresURL = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_URL"]

    /// Backends available here: PostgreSQL when `scripts/test` (or the developer) provides one.
    static var available: [Backend] {
        postgresURL != nil || requireAll ? allCases : [.sqlite]
    }
}

/// A fresh database of one backend for one test: a temporary SQLite file, or a new PostgreSQL
/// database on the test server (dropped afterwards), so tests run in parallel.
struct TestDatabase {
    let backend: Backend
    let location: DatabaseLocation
    let keys: KeyRing
    let cursors = PageCursor(secret: "cursor-secret-for-tests-0123456789")
    private let cleanup: @Sendable () async -> Void

    static let logger = Logger(label: "store-test")

    /// Runs a body with an open, migrated store.
    static func with<T>(
        _ backend: Backend, keys: KeyRing = KeyRing(secret: "encryption-secret-for-tests-1"), migrate: Bool = true,
        _ body: (OpenStore, TestDatabase) async throws -> T
    ) async throws -> T {
        let database = try await create(backend, keys: keys)
        let store = try OpenStore.open(database.location, keys: keys, cursors: database.cursors, logger: logger)
        let result: T
        do {
            result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await store.run() }
                defer { group.cancelAll() }
                if migrate { _ = try await store.migrator.migrate() }
                return try await body(store, database)
            }
        } catch {
            await database.cleanup()
            throw error
        }
        await database.cleanup()
        return result
    }

    static func create(_ backend: Backend, keys: KeyRing) async throws -> TestDatabase {
        switch backend {
        case .sqlite:
            let directory = NSTemporaryDirectory() + "switchyard-store-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            return TestDatabase(backend: backend, location: .sqlite(path: directory + "/test.sqlite"), keys: keys) {
                try? FileManager.default.removeItem(atPath: directory)
            }
        case .postgres:
            let admin = try PostgresURL.parse(try #require(Backend.postgresURL, "SWITCHYARD_TEST_POSTGRES_URL is not set"))
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            try await adminQuery(admin, "CREATE DATABASE \(name)")
            var url = admin
            url.database = name
            return TestDatabase(backend: backend, location: .postgres(url), keys: keys) {
                try? await adminQuery(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            }
        }
    }

    /// Removes a database made by ``create(_:keys:)``.
    static func drop(_ database: TestDatabase) async throws {
        await database.cleanup()
    }

    static func adminQuery(_ url: PostgresURL, _ sql: String) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: try PostgresConnectionFactory.configuration(for: url), id: 1, logger: logger
        )
        defer { Task { try? await connection.close() } }
        _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()
    }

    private init(backend: Backend, location: DatabaseLocation, keys: KeyRing, cleanup: @escaping @Sendable () async -> Void) {
        self.backend = backend
        self.location = location
        self.keys = keys
        self.cleanup = cleanup
    }
}
