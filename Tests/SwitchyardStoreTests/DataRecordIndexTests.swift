import Foundation
import Testing

import SwitchyardCore
@testable import SwitchyardStore

/// The record index behind data source pulls, on both backends: created, updated and unchanged
/// records, scans that mark what they saw, and deletions found only among unseen records that
/// nobody wrote since the scan began.
@Suite struct DataRecordIndexTests {
    private static func records(_ pairs: [(String, Int64)]) -> [IndexedRecord] { pairs.map { IndexedRecord(id: $0.0, hash: $0.1) } }

    @Test(arguments: Backend.available)
    func tellsCreatedUpdatedAndUnchangedApart(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let index = store.dataRecords
            let first = Self.records([("a", 1), ("b", 2), ("c", 3)])
            #expect(try await index.compare(first, source: "s1") == [.created, .created, .created])
            try await index.store(first, source: "s1", workspaceID: "w1", scanID: nil, now: 10)
            let second = Self.records([("a", 1), ("b", 20), ("d", 4)])
            #expect(try await index.compare(second, source: "s1") == [.unchanged, .updated, .created])
            // Another source sees none of them.
            #expect(try await index.compare(second, source: "s2") == [.created, .created, .created])
            try await index.store(second, source: "s1", workspaceID: "w1", scanID: nil, now: 20)
            #expect(try await index.compare(second, source: "s1") == [.unchanged, .unchanged, .unchanged])
            #expect(try await index.count(source: "s1") == 4)
            try await index.remove(["a", "zzz"], source: "s1")
            #expect(try await index.count(source: "s1") == 3)
            #expect(try await index.compare(Self.records([("a", 1)]), source: "s1") == [.created])
            try await index.store(Self.records([("x", 1)]), source: "s2", workspaceID: "w1", scanID: nil, now: 30)
            try await index.removeAll(source: "s1")
            #expect(try await index.count(source: "s1") == 0)
            #expect(try await index.count(source: "s2") == 1)
        }
    }

    @Test(arguments: Backend.available)
    func aScanFindsOnlyWhatItDidNotSeeAndNobodyWrote(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let index = store.dataRecords
            let all = (0..<25).map { IndexedRecord(id: String(format: "r%02d", $0), hash: Int64($0)) }
            try await index.store(all, source: "s", workspaceID: "w1", scanID: "scan-1", now: 100)
            // Scan 2 starts at 200 and sees the first ten (one changed); an incremental pull writes r20 at 250.
            var seen = Array(all[0..<10])
            seen[3].hash = 333
            try await index.store(seen, source: "s", workspaceID: "w1", scanID: "scan-2", now: 210)
            try await index.store([IndexedRecord(id: "r20", hash: 2020)], source: "s", workspaceID: "w1", scanID: nil, now: 250)
            try await index.store([IndexedRecord(id: "new", hash: 1)], source: "s", workspaceID: "w1", scanID: nil, now: 260)
            // Unseen by scan 2 and not written since 200: r10...r24 except r20, read in pages.
            var unseen: [String] = []
            var after: String?
            while true {
                let page = try await index.unseen(source: "s", scanID: "scan-2", since: 200, after: after, limit: 4)
                unseen += page
                guard page.count == 4 else { break }
                after = page.last
            }
            #expect(unseen == (10..<25).filter { $0 != 20 }.map { String(format: "r%02d", $0) })
            // Rows an unchanged record re-marks keep their time: r00 stays at 100.
            #expect(try await index.unseen(source: "s", scanID: "scan-3", since: 101, after: nil, limit: 1) == ["r00"])
        }
    }

    @Test(arguments: Backend.available)
    func appendedLogsSkipWhatIsThereAndStayWithTheirTenant(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, _ in
            let a = StoreScope.tenant("tenant-a", in: "w1")
            let events = (0..<5).map { NewRecord(kind: .externalEvents, id: "e\($0)", document: ["n": .number(Double($0))]) }
            #expect(try await store.records.append(Array(events[0..<3]), scope: a) == 3)
            #expect(try await store.records.append(events, scope: a) == 2)
            let listed = try await store.records.all(.externalEvents, scope: a, filter: RecordFilter())
            #expect(listed.map(\.id).sorted() == ["e0", "e1", "e2", "e3", "e4"] && listed.allSatisfy { $0.tenantID == "tenant-a" })
            #expect(try await store.records.get(.externalEvents, id: "e3", scope: a).document == ["n": 3])
            let otherTenant = StoreScope.tenant("tenant-b", in: "w1")
            let ofB = try await store.records.list(.externalEvents, scope: otherTenant, filter: RecordFilter(), limit: 10, cursor: nil)
            #expect(ofB.items.isEmpty)
            // A tenant cannot append another tenant's records.
            await #expect(throws: SwitchyardError.self) {
                _ = try await store.records.append([NewRecord(kind: .externalEvents, id: "x", tenantID: "tenant-b")], scope: a)
            }
        }
    }
}
