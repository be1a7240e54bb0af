import Foundation
import Logging
import PostgresNIO
import SwitchyardCore
import SwitchyardStore

/// Store throughput on both backends, with the same concurrent workload: inserts, reads by id,
/// and 100-row list pages.
enum StoreBenchmark {
    static let workers = 8
    static let rows = 20_000

    static func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        var backends: [(String, DatabaseLocation, () async -> Void)] = []
        let directory = NSTemporaryDirectory() + "switchyard-bench-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        backends.append(("sqlite", .sqlite(path: directory + "/bench.sqlite"), { try? FileManager.default.removeItem(atPath: directory) }))
        if let admin = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_URL"] {
            let adminURL = try PostgresURL.parse(admin)
            let name = "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
            try await adminQuery(adminURL, "CREATE DATABASE \(name)", logger: logger)
            var url = adminURL
            url.database = name
            backends.append(("postgres", .postgres(url), { try? await adminQuery(adminURL, "DROP DATABASE \(name) WITH (FORCE)", logger: logger) }))
        } else {
            row("store", "postgres", "skipped", "-", "SWITCHYARD_TEST_POSTGRES_URL not set", "")
        }
        for (name, location, cleanup) in backends {
            let store = try OpenStore.open(location, keys: KeyRing(secret: "bench-encryption-secret-0001"), cursors: PageCursor(secret: "bench-cursor-secret-000001"), logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await store.run() }
                _ = try await store.migrator.migrate()
                try await measure(name, store.records)
                group.cancelAll()
            }
            await cleanup()
        }
    }

    static func measure(_ backend: String, _ records: any RecordStore) async throws {
        let tenants = (0..<10).map { StoreScope.tenant("tenant-\($0)", in: "bench") }
        let perWorker = rows / workers
        let (ids, insertSeconds) = try await timed {
            try await withThrowingTaskGroup(of: [(String, StoreScope)].self) { group in
                for worker in 0..<workers {
                    group.addTask {
                        var made: [(String, StoreScope)] = []
                        for n in 0..<perWorker {
                            let scope = tenants[(worker + n) % tenants.count]
                            let record = try await records.insert(
                                NewRecord(kind: .connections, document: ["name": .string("connection \(n)"), "state": "connected"], secret: ["token": .string("t-\(n)")]),
                                scope: scope
                            )
                            made.append((record.id, scope))
                        }
                        return made
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
        }
        row("store", backend, "inserts/s (\(workers) writers, encrypted secret)", format(Double(ids.count) / insertSeconds, 0), "\(ids.count) rows", "")

        let gets = 40_000
        let (_, getSeconds) = try await timed {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<workers {
                    group.addTask {
                        for n in 0..<(gets / workers) {
                            let (id, scope) = ids[(worker * 7919 + n * 104_729) % ids.count]
                            _ = try await records.get(.connections, id: id, scope: scope)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        row("store", backend, "get-by-id/s (\(workers) readers, decrypting)", format(Double(gets) / getSeconds, 0), "\(gets) reads", "")

        let pages = 4000
        let (_, pageSeconds) = try await timed {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<workers {
                    group.addTask {
                        var cursor: String?
                        for _ in 0..<(pages / workers) {
                            let page = try await records.list(.connections, scope: tenants[worker % tenants.count], filter: .init(), limit: 100, cursor: cursor)
                            cursor = page.cursor
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        row("store", backend, "list pages/s (100 rows, \(workers) readers)", format(Double(pages) / pageSeconds, 0), "\(pages) pages", "")
    }

    static func timed<T>(_ body: () async throws -> T) async throws -> (T, Double) {
        let start = ContinuousClock.now
        let value = try await body()
        return (value, milliseconds(ContinuousClock.now - start) / 1000)
    }

    static func adminQuery(_ url: PostgresURL, _ sql: String, logger: Logger) async throws {
        let connection = try await PostgresConnection.connect(configuration: try PostgresConnectionFactory.configuration(for: url), id: 1, logger: logger)
        _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()
        try await connection.close()
    }
}
