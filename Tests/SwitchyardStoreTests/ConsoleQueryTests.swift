import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardStore

/// The store queries behind the admin console's lists and overview, on both backends: worker
/// presence and role leases, one workspace's jobs and queue depths, records created per time
/// bucket (counted by the database), and lists searched or read newest first.
@Suite("Console queries on both backends")
struct ConsoleQueryTests {
    static let w1 = StoreScope.workspace("w1")

    private func job(_ n: Int, workspace: String, queue: JobQueueName = .instant) -> NewJob {
        NewJob(kind: "noop", queue: queue, args: ["n": .number(Double(n))], workspaceID: workspace)
    }

    @Test("Workers seen since a time, most recent first, with queue and busy; leases with holder and expiry", arguments: Backend.available)
    func workersAndLeases(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let jobs = store.jobs
            let before = StoreClock.now()
            try await jobs.recordWorker("idle-queued", queue: .queued, busy: false)
            try await jobs.recordWorker("busy-instant", queue: .instant, busy: true)
            let workers = try await jobs.workers(since: before)
            #expect(workers.map(\.id) == ["busy-instant", "idle-queued"])
            #expect(workers.first?.busy == true && workers.first?.queue == .instant && workers.last?.busy == false && workers.last?.queue == .queued)
            #expect(workers.allSatisfy { $0.seenAt >= before && $0.seenAt <= StoreClock.now() })
            #expect(try await jobs.workers(since: StoreClock.now() + 60_000_000).isEmpty, "no worker was seen in the future")

            #expect(try await jobs.acquireLease("orchestrator", holder: "leader-1", ttl: .seconds(30)))
            let leases = try await jobs.leases()
            #expect(leases.map(\.name) == ["orchestrator"] && leases.first?.holder == "leader-1")
            #expect((leases.first?.expiresAt ?? 0) > StoreClock.now())
        }
    }

    @Test("A workspace's jobs newest first, by queue and state, paged by id; its counts leave other workspaces out", arguments: Backend.available)
    func workspaceJobs(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let jobs = store.jobs
            let ids = try await jobs.enqueue(
                [job(1, workspace: "w1"), job(2, workspace: "w1"), job(3, workspace: "w1", queue: .queued), job(4, workspace: "w2")], limits: nil
            ).map(\.id)
            let cancelled = try #require(try await jobs.cancel(ids[1], worker: nil, reason: "test"))
            #expect(cancelled.state == .cancelled)

            let all = try await jobs.jobs(WorkspaceJobQuery(workspaceID: "w1"))
            #expect(all.map(\.id) == [ids[2], ids[1], ids[0]], "newest first, w2's job left out")
            #expect(try await jobs.jobs(WorkspaceJobQuery(workspaceID: "w1", queue: .queued)).map(\.id) == [ids[2]])
            #expect(try await jobs.jobs(WorkspaceJobQuery(workspaceID: "w1", states: [.cancelled, .discarded])).map(\.id) == [ids[1]])
            let first = try await jobs.jobs(WorkspaceJobQuery(workspaceID: "w1", limit: 2))
            let second = try await jobs.jobs(WorkspaceJobQuery(workspaceID: "w1", beforeID: first.last?.id, limit: 2))
            #expect(first.map(\.id) + second.map(\.id) == all.map(\.id))
            await #expect(throws: SwitchyardError.self) { _ = try await jobs.jobs(WorkspaceJobQuery(workspaceID: "w1", limit: 0)) }

            let counts = try await jobs.counts(workspaceID: "w1")
            #expect(counts.count(.instant, .available) == 1 && counts.count(.instant, .cancelled) == 1 && counts.count(.queued, .available) == 1)
            #expect(counts.waiting[.instant] == 1 && counts.waiting[.queued] == 1)
            #expect(try await jobs.counts(workspaceID: "w2").count(.instant, .available) == 1)
        }
    }

    @Test("Records created per time bucket are counted by the database, within the scope", arguments: Backend.available)
    func createdCounts(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let records = store.records
            let minute: Int64 = 60_000_000
            let since = StoreClock.now() - 2 * minute
            let a = StoreScope.tenant("a", in: "w1")
            for _ in 0..<3 { _ = try await records.insert(NewRecord(kind: .flowRuns, tenantID: "a", document: ["status": "failed"]), scope: a) }
            _ = try await records.insert(NewRecord(kind: .flowRuns, tenantID: "b", document: [:]), scope: .tenant("b", in: "w1"))
            _ = try await records.insert(NewRecord(kind: .flowRuns, document: [:]), scope: .workspace("w2"))
            #expect(try await records.createdCounts(.flowRuns, scope: Self.w1, since: since, interval: minute, buckets: 3) == [0, 0, 4])
            #expect(try await records.createdCounts(.flowRuns, scope: a, since: since, interval: minute, buckets: 3) == [0, 0, 3])
            let earlier = try await records.createdCounts(.flowRuns, scope: Self.w1, since: since - 60 * minute, interval: minute, buckets: 60)
            #expect(earlier == Array(repeating: 0, count: 60), "nothing was created in the hour before")
            await #expect(throws: SwitchyardError.self) {
                _ = try await records.createdCounts(.flowRuns, scope: Self.w1, since: since, interval: 0, buckets: 3)
            }
        }
    }

    @Test("Lists search key and named fields case-insensitively (wildcards match themselves) and page newest first", arguments: Backend.available)
    func searchAndNewestFirst(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let records = store.records
            var ids: [String] = []
            for (key, name) in [("acme-1", "Acme Corp"), ("globex", "Globex Corporation"), ("initech", "100% Initech"), ("umbrella", "Umbrella")] {
                ids.append(try await records.insert(NewRecord(kind: .tenants, key: key, document: ["name": .string(name)]), scope: Self.w1).id)
            }
            let search = { (text: String) async throws -> [String] in
                try await records.list(.tenants, scope: Self.w1, filter: RecordFilter(search: text, searchFields: ["name"]), limit: 10, cursor: nil)
                    .items.compactMap(\.key)
            }
            #expect(try await search("ACME") == ["acme-1"], "the key, in any case")
            #expect(try await search("corp") == ["acme-1", "globex"], "the name field")
            #expect(try await search("%") == ["initech"], "% matches itself")
            #expect(try await search("_").isEmpty, "_ matches itself")
            #expect(try await search("nothing-like-it").isEmpty)

            // A nested field (elements keep their name in content.name).
            _ = try await records.insert(NewRecord(kind: .actions, key: "greet", document: ["content": ["name": "Say Hello"]]), scope: Self.w1)
            _ = try await records.insert(NewRecord(kind: .actions, key: "bye", document: ["content": ["name": "Farewell"]]), scope: Self.w1)
            let nested = try await records.list(
                .actions, scope: Self.w1, filter: RecordFilter(search: "HELLO", searchFields: ["content.name"]), limit: 10, cursor: nil)
            #expect(nested.items.compactMap(\.key) == ["greet"])
            await #expect(throws: SwitchyardError.self, "a field part that is not an identifier is refused") {
                _ = try await records.list(
                    .actions, scope: Self.w1, filter: RecordFilter(search: "x", searchFields: ["content.na'me"]), limit: 1, cursor: nil)
            }

            let newest = RecordFilter(newestFirst: true)
            let first = try await records.list(.tenants, scope: Self.w1, filter: newest, limit: 3, cursor: nil)
            let cursor = try #require(first.cursor)
            let second = try await records.list(.tenants, scope: Self.w1, filter: newest, limit: 3, cursor: cursor)
            #expect(first.items.map(\.id) + second.items.map(\.id) == ids.reversed())
            #expect(second.cursor == nil)
            await #expect(throws: SwitchyardError.self, "a newest-first cursor is not an oldest-first one") {
                _ = try await records.list(.tenants, scope: Self.w1, filter: RecordFilter(), limit: 3, cursor: cursor)
            }
        }
    }
}
