import Foundation
import HTTPTypes
import Synchronization
import Testing

import SwitchyardAPI
import SwitchyardCore

/// A clock that moves only when the test says, so bucket refills do not depend on how fast
/// the machine runs the test.
final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(by duration: Duration) { instant.withLock { $0 += duration } }
}

@Suite("Request-rate limits (ENABLE_LIMITS)")
struct RateLimitTests {
    @Test("A customer past its rate gets 429 with Retry-After; others are unaffected; an admin can raise one customer's rate")
    func customerRate() async throws {
        let clock = ManualClock()
        let harness = try await APIHarness.make(rates: .init(perTenant: 5, perWorkspace: 1000, processes: 1), clock: { clock.now })
        defer { harness.remove() }
        try await harness.withClient { client in
            let busy = try await harness.tenantToken("busy")
            let quiet = try await harness.tenantToken("quiet")
            for _ in 0..<5 { #expect(try await client.send(.get, "/self", token: busy).status == 200) }
            let refused = try await client.send(.get, "/self", token: busy)
            #expect(refused.status == 429)
            #expect(refused.json["key"] == "rate_limit_exceeded" && refused.json["data"]?["limit"] == "customer")
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(try await client.send(.get, "/self", token: quiet).status == 200)
            let admin = try await harness.adminToken()
            let raised = try await client.send(.patch, "/customers/busy", token: admin, body: ["limits": ["requestsPerSecond": 1000]])
            #expect(raised.status == 200, "\(raised.json)")
            let invalid = try await client.send(.patch, "/customers/busy", token: admin, body: ["limits": ["requestsPerSecond": -1]])
            #expect(invalid.status == 400 && invalid.json["data"]?["limits"] != nil)
            clock.advance(by: .milliseconds(100))
            for _ in 0..<20 { #expect(try await client.send(.get, "/self", token: busy).status == 200) }
        }
    }

    @Test("A workspace's requests across all its customers are capped too; API_PROCESSES divides the rate")
    func workspaceRate() async throws {
        let clock = ManualClock()
        let harness = try await APIHarness.make(rates: .init(perTenant: 100, perWorkspace: 16, processes: 2), clock: { clock.now })
        defer { harness.remove() }
        try await harness.withClient { client in
            var accepted = 0
            for index in 0..<12 {
                let answer = try await client.send(.get, "/self", token: try await harness.tenantToken("c\(index % 3)"))
                if answer.status == 200 { accepted += 1 } else { #expect(answer.json["data"]?["limit"] == "workspace") }
            }
            // 16/s shared by 2 processes: 8 at once, then one per 125 ms.
            #expect(accepted == 8)
            clock.advance(by: .milliseconds(250))
            #expect(try await client.send(.get, "/self", token: try await harness.tenantToken("c0")).status == 200)
            #expect(try await client.send(.get, "/self", token: try await harness.tenantToken("c1")).status == 200)
            #expect(try await client.send(.get, "/self", token: try await harness.tenantToken("c2")).status == 429)
        }
    }
}
