import Foundation
import Testing

import SwitchyardCore
@testable import SwitchyardStore

/// One suite, both backends: every behaviour of the store API holds on SQLite and PostgreSQL.
@Suite struct RecordStoreConformanceTests {
    static let w1 = StoreScope.workspace("w1")
    static let a = StoreScope.tenant("tenant-a", in: "w1")
    static let b = StoreScope.tenant("tenant-b", in: "w1")

    private func expectError(_ key: SwitchyardError.Key, _ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            try await body()
            Issue.record("expected \(key), got success", sourceLocation: sourceLocation)
        } catch let error as SwitchyardError {
            #expect(error.key == key, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected a SwitchyardError \(key), got \(String(reflecting: error))", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: Backend.available)
    func createReadUpdateArchiveDelete(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let records = store.records
            let created = try await records.insert(NewRecord(kind: .integrations, key: "hubspot", document: ["name": "HubSpot"]), scope: Self.w1)
            #expect(created.revision == 1 && created.tenantID == nil && created.workspaceID == "w1")
            #expect(try await records.get(.integrations, id: created.id, scope: Self.w1) == created)
            let updated = try await records.update(.integrations, id: created.id, scope: Self.w1, expectedRevision: 1) { $0.document = ["name": "HubSpot CRM"] }
            #expect(updated.revision == 2 && updated.document == ["name": "HubSpot CRM"])
            #expect(try await records.get(.integrations, id: created.id, scope: Self.w1).document == ["name": "HubSpot CRM"])
            await expectError(.conflict) { _ = try await records.update(.integrations, id: created.id, scope: Self.w1, expectedRevision: 1) { $0.document = [:] } }
            await expectError(.alreadyExists) { _ = try await records.insert(NewRecord(kind: .integrations, key: "hubspot"), scope: Self.w1) }
            let archived = try await records.archive(.integrations, id: created.id, scope: Self.w1)
            #expect(archived.archivedAt != nil)
            #expect(try await records.list(.integrations, scope: Self.w1, filter: .init(), limit: 10, cursor: nil).items.isEmpty)
            #expect(try await records.list(.integrations, scope: Self.w1, filter: .init(includeArchived: true), limit: 10, cursor: nil).items.count == 1)
            _ = try await records.insert(NewRecord(kind: .integrations, key: "hubspot"), scope: Self.w1)  // the key is free again
            try await records.delete(.integrations, id: created.id, scope: Self.w1)
            await expectError(.notFound) { _ = try await records.get(.integrations, id: created.id, scope: Self.w1) }
            await expectError(.alreadyExists) { _ = try await records.insert(NewRecord(kind: .flows, id: "same"), scope: Self.w1); _ = try await records.insert(NewRecord(kind: .flows, id: "same"), scope: Self.w1) }
            await expectError(.badRequest) { _ = try await records.update(.flows, id: "same", scope: Self.w1, expectedRevision: nil) { $0.tenantID = "someone" } }
        }
    }

    /// Tenant A can never read, list, update, archive or delete tenant B's rows, nor change
    /// shared rows; both read the workspace's shared rows; another workspace sees nothing.
    @Test(arguments: Backend.available)
    func tenantsNeverSeeEachOther(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let records = store.records
            let ofB = try await records.insert(NewRecord(kind: .connections, document: ["name": "B's HubSpot"], secret: ["token": "b-token"]), scope: Self.b)
            #expect(ofB.tenantID == "tenant-b")
            let ofA = try await records.insert(NewRecord(kind: .connections, document: ["name": "A's HubSpot"]), scope: Self.a)
            let shared = try await records.insert(NewRecord(kind: .integrations, key: "hubspot"), scope: Self.w1)

            await expectError(.notFound) { _ = try await records.get(.connections, id: ofB.id, scope: Self.a) }
            await expectError(.notFound) { _ = try await records.update(.connections, id: ofB.id, scope: Self.a, expectedRevision: nil) { $0.document = ["hacked": true] } }
            await expectError(.notFound) { _ = try await records.archive(.connections, id: ofB.id, scope: Self.a) }
            await expectError(.notFound) { try await records.delete(.connections, id: ofB.id, scope: Self.a) }
            await expectError(.accessDenied) { _ = try await records.insert(NewRecord(kind: .connections, tenantID: "tenant-b"), scope: Self.a) }
            let listedByA = try await records.list(.connections, scope: Self.a, filter: .init(), limit: 100, cursor: nil).items.map(\.id)
            #expect(listedByA == [ofA.id])
            let filteredToB = try await records.list(.connections, scope: Self.a, filter: .init(tenantID: "tenant-b"), limit: 100, cursor: nil).items
            #expect(filteredToB.isEmpty)
            #expect(try await records.get(.connections, id: ofB.id, scope: Self.b).secret == ["token": "b-token"])

            #expect(try await records.get(.integrations, id: shared.id, scope: Self.a).key == "hubspot")
            await expectError(.notFound) { _ = try await records.update(.integrations, id: shared.id, scope: Self.a, expectedRevision: nil) { $0.key = "mine" } }
            await expectError(.notFound) { try await records.delete(.integrations, id: shared.id, scope: Self.a) }

            let other = StoreScope.workspace("w2")
            await expectError(.notFound) { _ = try await records.get(.connections, id: ofB.id, scope: other) }
            await expectError(.notFound) { _ = try await records.get(.integrations, id: shared.id, scope: other) }
            #expect(try await records.list(.connections, scope: other, filter: .init(), limit: 100, cursor: nil).items.isEmpty)
            #expect(try await records.list(.connections, scope: Self.w1, filter: .init(), limit: 100, cursor: nil).items.count == 2)
        }
    }

    /// Paging through 10,000 rows while other writers insert and delete rows yields every row
    /// that existed before paging began exactly once, and no row twice.
    @Test(arguments: Backend.available)
    func paginationIsStableUnderConcurrentWrites(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let records = store.records
            let existing = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var ids: [String] = []
                        for n in 0..<1250 {
                            ids.append(try await records.insert(NewRecord(kind: .flowRuns, document: ["n": .number(Double(worker * 1250 + n))]), scope: Self.a).id)
                        }
                        return ids
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.formUnion($1) }
            }
            #expect(existing.count == 10_000)
            let seen = try await withThrowingTaskGroup(of: [String]?.self) { group in
                group.addTask {
                    var churn = 0
                    do {
                        while !Task.isCancelled && churn < 2000 {
                            let record = try await records.insert(NewRecord(kind: .flowRuns, document: ["late": true]), scope: Self.a)
                            if churn % 2 == 0 { try await records.delete(.flowRuns, id: record.id, scope: Self.a) }
                            churn += 1
                        }
                    } catch where Task.isCancelled {
                        // Paging finished; the writer was stopped mid-write.
                    }
                    return nil
                }
                group.addTask {
                    var ids: [String] = []
                    var cursor: String?
                    repeat {
                        let page = try await records.list(.flowRuns, scope: Self.a, filter: .init(), limit: 97, cursor: cursor)
                        ids += page.items.map(\.id)
                        cursor = page.cursor
                    } while cursor != nil
                    return ids
                }
                var pages: [String] = []
                for try await result in group {
                    if let result {
                        pages = result
                        group.cancelAll()
                    }
                }
                return pages
            }
            #expect(Set(seen).count == seen.count, "a row was listed twice")
            #expect(existing.isSubset(of: Set(seen)), "\(existing.subtracting(seen).count) pre-existing rows were skipped")
        }
    }

    @Test(arguments: Backend.available)
    func limitsAndCursorsAreValidated(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let records = store.records
            for n in 0..<5 { _ = try await records.insert(NewRecord(kind: .actions, key: "a\(n)"), scope: Self.a) }
            await expectError(.badRequest) { _ = try await records.list(.actions, scope: Self.a, filter: .init(), limit: 0, cursor: nil) }
            await expectError(.badRequest) { _ = try await records.list(.actions, scope: Self.a, filter: .init(), limit: 1001, cursor: nil) }
            let first = try await records.list(.actions, scope: Self.a, filter: .init(), limit: 2, cursor: nil)
            let cursor = try #require(first.cursor)
            let second = try await records.list(.actions, scope: Self.a, filter: .init(), limit: 2, cursor: cursor)
            #expect(second.items.map(\.key) == ["a2", "a3"])
            var tampered = Array(cursor)
            tampered[2] = tampered[2] == "A" ? "B" : "A"
            await expectError(.badRequest) { _ = try await records.list(.actions, scope: Self.a, filter: .init(), limit: 2, cursor: String(tampered)) }
            await expectError(.badRequest) { _ = try await records.list(.actions, scope: Self.b, filter: .init(), limit: 2, cursor: cursor) }
            await expectError(.badRequest) { _ = try await records.list(.flows, scope: Self.a, filter: .init(), limit: 2, cursor: cursor) }
            await expectError(.badRequest) { _ = try await records.list(.actions, scope: Self.a, filter: .init(), limit: 2, cursor: "garbage") }
            let last = try await records.list(.actions, scope: Self.a, filter: .init(), limit: 2, cursor: second.cursor)
            #expect(last.items.map(\.key) == ["a4"] && last.cursor == nil)
        }
    }

    @Test(arguments: Backend.available)
    func concurrentMigratorsApplyEachMigrationOnce(backend: Backend) async throws {
        try await TestDatabase.with(backend, migrate: false) { store, database in
            await expectError(.unavailable) { try await store.migrator.check() }
            let others = try (0..<3).map { _ in try OpenStore.open(database.location, keys: database.keys, cursors: database.cursors, logger: TestDatabase.logger) }
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                group.addTask { try await store.migrator.migrate() }
                for other in others {
                    group.addTask {
                        try await withThrowingTaskGroup(of: [Int]?.self) { inner in
                            inner.addTask { await other.run(); return nil }
                            inner.addTask { try await other.migrator.migrate() }
                            var result: [Int] = []
                            for try await value in inner {
                                if let value {
                                    result = value
                                    inner.cancelAll()
                                }
                            }
                            return result
                        }
                    }
                }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
            #expect(applied.sorted() == Migrations.all.map(\.version), "each migration applied exactly once")
            try await store.migrator.check()
            #expect(try await store.migrator.currentVersion() == Migrations.latestVersion)
            #expect(try await store.migrator.migrate().isEmpty, "migrating again is a no-op")
        }
    }

    /// A batch commits all its writes or, when one fails, none: a state change and the work it
    /// implies are stored together.
    @Test(arguments: Backend.available)
    func batchedWritesCommitTogetherOrNotAtAll(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let records = store.records
            let integration = try await records.insert(NewRecord(kind: .integrations, key: "crm"), scope: Self.w1)
            let results = try await records.apply([
                .insert(NewRecord(kind: .connections, id: "c-ok", document: ["state": "connected"]), scope: Self.a),
                .insert(NewRecord(kind: .flowRuns, id: "run-ok", document: ["state": "queued"]), scope: Self.a),
                .update(.integrations, id: integration.id, scope: Self.w1, expectedRevision: 1, change: { $0.document = ["connections": 1] }),
            ])
            #expect(results.compactMap { $0?.id } == ["c-ok", "run-ok", integration.id])
            #expect(try await records.get(.flowRuns, id: "run-ok", scope: Self.a).document == ["state": "queued"])

            await expectError(.notFound) {
                _ = try await records.apply([
                    .insert(NewRecord(kind: .connections, id: "c-lost", document: ["state": "connected"]), scope: Self.a),
                    .update(.connections, id: "missing", scope: Self.a, expectedRevision: nil, change: { $0.document = [:] }),
                ])
            }
            await expectError(.notFound) { _ = try await records.get(.connections, id: "c-lost", scope: Self.a) }

            await expectError(.alreadyExists) {
                _ = try await records.apply([
                    .update(.integrations, id: integration.id, scope: Self.w1, expectedRevision: 2, change: { $0.document = ["connections": 99] }),
                    .insert(NewRecord(kind: .flowRuns, id: "run-ok"), scope: Self.a),
                ])
            }
            #expect(try await records.get(.integrations, id: integration.id, scope: Self.w1).document == ["connections": 1], "the update was rolled back")

            await expectError(.accessDenied) {
                _ = try await records.apply([
                    .delete(.flowRuns, id: "run-ok", scope: Self.a),
                    .insert(NewRecord(kind: .connections, tenantID: "tenant-b"), scope: Self.a),
                ])
            }
            #expect(try await records.get(.flowRuns, id: "run-ok", scope: Self.a).id == "run-ok", "the delete was rolled back")
        }
    }

    /// A patch applies its first case that holds (removing, then setting fields), reports the
    /// record before and after, writes its inserts with it, and changes nothing (not even the
    /// inserts) when the record is missing or another tenant's.
    @Test(arguments: Backend.available)
    func conditionalPatchesWithInserts(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let records = store.records
            let run = try await records.insert(
                NewRecord(kind: .flowRuns, id: "run-1", document: ["status": "queued", "sleeping": true]), scope: Self.a)
            let start = RecordPatch(
                .flowRuns, id: "run-1", scope: Self.a,
                cases: [
                    .init(when: ["status": "queued"], set: ["status": "running", "startedAt": "now"]),
                    .init(when: ["status": "running", "sleeping": true], set: ["sleeping": false]),
                ])
            let started = try await records.patch(start, inserting: [])
            #expect(started.applied == 0 && started.before == run)
            #expect(started.record.document == ["status": "running", "sleeping": true, "startedAt": "now"] && started.record.revision == 2)
            #expect(try await records.get(.flowRuns, id: "run-1", scope: Self.a) == started.record)
            let woken = try await records.patch(start, inserting: [])
            #expect(woken.applied == 1 && woken.before == started.record && woken.record.document["sleeping"] == false)

            let rows = (1...3).map { NewRecord(kind: .nodeRuns, tenantID: "tenant-a", parentID: "run-1", document: ["nodeKey": .string("n\($0)")]) }
            let end = RecordPatch(
                .flowRuns, id: "run-1", scope: Self.a,
                cases: [.init(when: ["status": "running"], set: ["status": "completed", "output": ["n": 1]], remove: ["sleeping"])])
            let ended = try await records.patch(end, inserting: rows)
            #expect(ended.applied == 0)
            #expect(ended.record.document == ["status": "completed", "startedAt": "now", "output": ["n": 1]])
            let nodes = try await records.all(.nodeRuns, scope: Self.a, filter: RecordFilter(parentID: "run-1"))
            #expect(Set(nodes.compactMap { $0.document["nodeKey"]?.stringValue }) == ["n1", "n2", "n3"])

            let again = try await records.patch(end, inserting: [])
            #expect(again.applied == nil && again.record == ended.record, "no case holds: nothing changes")
            #expect(try await records.get(.flowRuns, id: "run-1", scope: Self.a).revision == ended.record.revision)

            let lost = NewRecord(kind: .nodeRuns, id: "lost", tenantID: "tenant-b", parentID: "run-1")
            await expectError(.notFound) {
                _ = try await records.patch(RecordPatch(.flowRuns, id: "run-1", scope: Self.b, cases: end.cases), inserting: [lost])
            }
            await expectError(.notFound) { _ = try await records.get(.nodeRuns, id: "lost", scope: Self.b) }
            await expectError(.notFound) {
                _ = try await records.patch(RecordPatch(.flowRuns, id: "missing", scope: Self.a, cases: end.cases), inserting: rows)
            }
            let kept = try await records.all(.nodeRuns, scope: Self.a, filter: RecordFilter(parentID: "run-1"))
            #expect(kept.count == 3, "the inserts were rolled back")
        }
    }

    /// A record stored with the job that works on it: both are there (the job ready to run), or,
    /// when the record cannot be stored, neither.
    @Test(arguments: Backend.available)
    func recordsAndTheirJobsCommitTogether(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let records = store.records
            let job = NewJob(kind: "flows.run", queue: .queued, args: ["runId": "run-1"], workspaceID: "w1", tenantID: "tenant-a")
            let run = try await records.insert(
                NewRecord(kind: .flowRuns, id: "run-1", document: ["status": "queued"]), scope: Self.a, enqueueing: job)
            #expect(try await records.get(.flowRuns, id: "run-1", scope: Self.a) == run)
            let fetched = try await store.jobs.fetch(queue: .queued, worker: "w", limit: 10, lease: .seconds(30), limits: nil)
            #expect(fetched.map(\.args) == [["runId": "run-1"]])
            await expectError(.alreadyExists) {
                _ = try await records.insert(NewRecord(kind: .flowRuns, id: "run-1"), scope: Self.a, enqueueing: job)
            }
            #expect(try await store.jobs.jobs(states: [], limit: 10, afterID: nil).count == 1, "no job without its record")
        }
    }
}
