import Foundation
import Logging
import Testing

import SwitchyardCore
@testable import SwitchyardStore
import SwitchyardTestSupport

@Suite(.enabled(if: (Backend.postgresURL != nil && DedicatedPostgres.bin != nil) || Backend.requireAll, "needs PostgreSQL binaries"))
struct PostgresRestartTests {
    /// Kill PostgreSQL (immediate stop) under a running store and start it again: the store
    /// reconnects without a process restart, and every acknowledged write is there.
    @Test func storeReconnectsAfterADatabaseCrashAndLosesNoAcknowledgedWrite() async throws {
        let server = try await DedicatedPostgres.start()
        defer { server.remove() }
        let scope = StoreScope.tenant("t1", in: "w1")
        let store = try OpenStore.open(
            .postgres(try server.url), keys: KeyRing(secret: "restart-encryption-secret-1"), cursors: PageCursor(secret: "restart-cursor-secret-0001"),
            logger: Logger(label: "restart")
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            _ = try await store.migrator.migrate()
            var acknowledged: [String] = []
            for n in 0..<200 {
                acknowledged.append(try await store.records.insert(NewRecord(kind: .flowRuns, document: ["n": .number(Double(n))], secret: ["s": .string("v\(n)")]), scope: scope).id)
            }

            try await server.kill()
            do {
                _ = try await store.records.list(.flowRuns, scope: scope, filter: .init(), limit: 10, cursor: nil)
                Issue.record("reading from a stopped database must fail")
            } catch let error as SwitchyardError {
                #expect(error.key == .unavailable, "\(error)")
                #expect(!error.message.contains("PSQLError"), "no driver error reaches callers")
            }
            try await server.start()

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
