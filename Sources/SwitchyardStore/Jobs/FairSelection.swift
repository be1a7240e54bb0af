/// Chooses which waiting jobs start next when limits are on: running caps per connection and
/// per tenant hold, and tenants take turns (the tenant with the fewest running jobs goes first,
/// then the one served longest ago), so a tenant with 100,000 jobs cannot starve one with 10.
package struct FairSelection: Sendable {
    /// The first waiting job of one (tenant, connection) pair.
    package struct Head: Sendable, Equatable {
        package var id: Int64
        package var workspaceID: String
        package var tenantID: String
        package var connectionID: String
        package var priority: Int
        package var scheduledAt: Int64

        /// Creates a head.
        package init(id: Int64, workspaceID: String, tenantID: String, connectionID: String, priority: Int, scheduledAt: Int64) {
            self.id = id
            self.workspaceID = workspaceID
            self.tenantID = tenantID
            self.connectionID = connectionID
            self.priority = priority
            self.scheduledAt = scheduledAt
        }
    }

    /// Running jobs per tenant and connection (`""` = none).
    package var running: [String: [String: Int]]
    /// When each tenant was last served (absent = never).
    package var turns: [String: Int64]
    /// Effective limits.
    package var limits: JobLimitTable

    /// Creates a selection.
    package init(running: [String: [String: Int]], turns: [String: Int64], limits: JobLimitTable) {
        self.running = running
        self.turns = turns
        self.limits = limits
    }

    /// Picks up to `count` heads in the order they should start, and records the turns taken.
    /// - Parameters:
    ///   - heads: One waiting job per (tenant, connection) pair.
    ///   - count: Most jobs to pick.
    ///   - now: The time recorded as each picked tenant's turn.
    package mutating func choose(from heads: [Head], count: Int, now: Int64) -> [Head] {
        var remaining = heads
        var chosen: [Head] = []
        var tenantRunning = running.mapValues { $0.values.reduce(0, +) }
        var sequence: Int64 = 0
        while chosen.count < count {
            var best: (index: Int, rank: (Int, Int64, Int, Int64, Int64))?
            for (index, head) in remaining.enumerated() {
                let effective = limits.effective(workspaceID: head.workspaceID, tenantID: head.tenantID)
                let tenantCount = tenantRunning[head.tenantID] ?? 0
                if !head.connectionID.isEmpty, let cap = effective.runningPerConnection, (running[head.tenantID]?[head.connectionID] ?? 0) >= cap { continue }
                if !head.tenantID.isEmpty, let cap = effective.runningPerTenant, tenantCount >= cap { continue }
                let rank = (tenantCount, turns[head.tenantID] ?? Int64.min, head.priority, head.scheduledAt, head.id)
                if best == nil || rank < best!.rank { best = (index, rank) }
            }
            guard let pick = best else { break }
            let head = remaining.remove(at: pick.index)
            chosen.append(head)
            running[head.tenantID, default: [:]][head.connectionID, default: 0] += 1
            tenantRunning[head.tenantID, default: 0] += 1
            turns[head.tenantID] = now + sequence
            sequence += 1
        }
        return chosen
    }
}
