import Foundation
import HTTPTypes
import Testing

import SwitchyardAPI
import SwitchyardCore
import SwitchyardStore

/// A record store whose lists of one kind take `delay` and ignore cancellation (a query stuck
/// in the driver), everything else passed through.
struct SlowListStore: RecordStore {
    let base: any RecordStore
    let slowKind: RecordKind
    let delay: Duration

    func get(_ kind: RecordKind, id: String, scope: StoreScope) async throws(SwitchyardError) -> Record {
        try await base.get(kind, id: id, scope: scope)
    }

    func list(_ kind: RecordKind, scope: StoreScope, filter: RecordFilter, limit: Int, cursor: String?) async throws(SwitchyardError) -> Page {
        if kind == slowKind {
            let seconds = Double(delay.components.seconds)
            await withCheckedContinuation { continuation in
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { continuation.resume() }
            }
        }
        return try await base.list(kind, scope: scope, filter: filter, limit: limit, cursor: cursor)
    }

    func apply(_ writes: [RecordWrite]) async throws(SwitchyardError) -> [Record?] { try await base.apply(writes) }

    func reencryptSecrets(_ kind: RecordKind, batchSize: Int) async throws(SwitchyardError) -> Int {
        try await base.reencryptSecrets(kind, batchSize: batchSize)
    }

    func purge(_ kind: RecordKind, createdBefore: Int64, limit: Int) async throws(SwitchyardError) -> Int {
        try await base.purge(kind, createdBefore: createdBefore, limit: limit)
    }

    func createdCounts(_ kind: RecordKind, scope: StoreScope, since: Int64, interval: Int64, buckets: Int) async throws(SwitchyardError) -> [Int] {
        try await base.createdCounts(kind, scope: scope, since: since, interval: interval, buckets: buckets)
    }
}

@Suite("Request time limit (MAX_REQUEST_TIME_SECONDS)")
struct RequestTimeLimitTests {
    @Test("A request that outlives its time limit is stopped and answered 504 timeout naming the limit; other requests are unaffected")
    func slowRequestIsAnswered504() async throws {
        let harness = try await APIHarness.make(requestTimeLimit: .seconds(3)) { records in
            SlowListStore(base: records, slowKind: .integrations, delay: .seconds(120))
        }
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            let started = ContinuousClock.now
            let slow = try await client.send(.get, "/integrations", token: admin)
            let took = ContinuousClock.now - started
            #expect(slow.status == 504, "\(slow.json)")
            #expect(slow.json["key"] == "timeout")
            #expect(slow.json["data"]?["limit"] == "3 s")
            #expect(slow.json["message"]?.stringValue?.contains("3 s limit") == true)
            #expect(took < .seconds(30), "the answer must come at the limit, not when the work ends (took \(took))")
            #expect(try await client.send(.get, "/customers", token: admin).status == 200)
        }
    }
}
