import Foundation
import Logging
import Testing

import SwitchyardCore
@testable import SwitchyardStore

/// A PostgreSQL server of the test's own (the shared one must not be killed), with `fsync` on.
struct DedicatedPostgres {
    let directory: String
    let port: Int
    let bin: String

    static var bin: String? {
        ProcessInfo.processInfo.environment["SWITCHYARD_TEST_PGBIN"]
            ?? (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted().last.map { "/usr/lib/postgresql/\($0)/bin" }
    }

    static func start() async throws -> DedicatedPostgres {
        let bin = try #require(Self.bin, "PostgreSQL binaries are not installed")
        let directory = NSTemporaryDirectory() + "switchyard-pg-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = Int.random(in: 40_000...50_000)
        let server = DedicatedPostgres(directory: directory, port: port, bin: bin)
        try server.asPostgres("chown", ["postgres:postgres", directory], asRoot: true)
        try server.asPostgres("\(bin)/initdb", ["-D", "\(directory)/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"])
        try server.start()
        return server
    }

    func start() throws {
        try asPostgres("\(bin)/pg_ctl", ["-D", "\(directory)/data", "-l", "\(directory)/log", "-w", "-o", "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory)", "start"])
    }

    /// Stops the server as a crash would (no checkpoint, no clean shutdown).
    func kill() throws {
        try asPostgres("\(bin)/pg_ctl", ["-D", "\(directory)/data", "-m", "immediate", "stop"])
    }

    func remove() {
        try? kill()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var url: PostgresURL { PostgresURL(host: "127.0.0.1", port: port, username: "postgres", password: nil, database: "postgres", sslMode: .disable) }

    private func asPostgres(_ executable: String, _ arguments: [String], asRoot: Bool = false) throws {
        let status: Int32
        if getuid() == 0 && !asRoot {
            status = try ProcessLaunch.runToCompletion("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        } else if getuid() == 0 {
            status = try ProcessLaunch.runToCompletion(executable.hasPrefix("/") ? executable : "/usr/bin/\(executable)", arguments)
        } else {
            guard !asRoot else { return }
            status = try ProcessLaunch.runToCompletion(executable, arguments)
        }
        #expect(status == 0, "\(executable) \(arguments.joined(separator: " ")) failed with status \(status)")
    }
}

@Suite(.enabled(if: (Backend.postgresURL != nil && DedicatedPostgres.bin != nil) || Backend.requireAll, "needs PostgreSQL binaries"))
struct PostgresRestartTests {
    /// Kill PostgreSQL (immediate stop) under a running store and start it again: the store
    /// reconnects without a process restart, and every acknowledged write is there.
    @Test func storeReconnectsAfterADatabaseCrashAndLosesNoAcknowledgedWrite() async throws {
        let server = try await DedicatedPostgres.start()
        defer { server.remove() }
        let scope = StoreScope.tenant("t1", in: "w1")
        let store = try OpenStore.open(
            .postgres(server.url), keys: KeyRing(secret: "restart-encryption-secret-1"), cursors: PageCursor(secret: "restart-cursor-secret-0001"),
            logger: Logger(label: "restart")
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            _ = try await store.migrator.migrate()
            var acknowledged: [String] = []
            for n in 0..<200 {
                acknowledged.append(try await store.records.insert(NewRecord(kind: .flowRuns, document: ["n": .number(Double(n))], secret: ["s": .string("v\(n)")]), scope: scope).id)
            }

            try server.kill()
            do {
                _ = try await store.records.list(.flowRuns, scope: scope, filter: .init(), limit: 10, cursor: nil)
                Issue.record("reading from a stopped database must fail")
            } catch let error as SwitchyardError {
                #expect(error.key == .unavailable, "\(error)")
                #expect(!error.message.contains("PSQLError"), "no driver error reaches callers")
            }
            try server.start()

            // The same store, no restart: reads retry with backoff until the pool reconnects.
            var found: [String] = []
            var cursor: String?
            let deadline = ContinuousClock.now + .seconds(30)
            repeat {
                do {
                    let page = try await store.records.list(.flowRuns, scope: scope, filter: .init(), limit: 1000, cursor: cursor)
                    found += page.items.map(\.id)
                    cursor = page.cursor
                    if cursor == nil { break }
                } catch where ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(200))
                }
            } while true
            #expect(Set(found) == Set(acknowledged), "every write acknowledged before the crash is present")
            let again = try await store.records.insert(NewRecord(kind: .flowRuns, document: ["after": true]), scope: scope)
            #expect(try await store.records.get(.flowRuns, id: again.id, scope: scope).document == ["after": true])
            group.cancelAll()
        }
    }
}
