import Foundation
import Testing

import SwitchyardCore
import SwitchyardJobs
import SwitchyardStore

@Suite("Cron expressions and schedule ticks")
struct CronExpressionTests {
    /// 2026-11-22 00:00:00 UTC, a Sunday.
    static let sundayMidnight: Int64 = 1_795_305_600

    @Test("Fields accept numbers, ranges, steps and lists; Sunday is 0 or 7")
    func matching() throws {
        let every15 = try CronExpression("*/15 * * * *")
        #expect(every15.matches(Self.sundayMidnight))
        #expect(every15.matches(Self.sundayMidnight + 15 * 60))
        #expect(!every15.matches(Self.sundayMidnight + 14 * 60))
        let weekdaysAtNine = try CronExpression("0 9 * * 1-5")
        #expect(!weekdaysAtNine.matches(Self.sundayMidnight + 9 * 3600))
        #expect(weekdaysAtNine.matches(Self.sundayMidnight + 86_400 + 9 * 3600))
        #expect(try CronExpression("0 0 * * 7").matches(Self.sundayMidnight))
        #expect(try CronExpression("0 0 22 11 *").matches(Self.sundayMidnight))
        #expect(try CronExpression("30 1,2 * * *").matches(Self.sundayMidnight + 2 * 3600 + 1800))
        // Both day fields restricted: either matches (the 1st of the month, or a Sunday).
        #expect(try CronExpression("0 0 1 * 0").matches(Self.sundayMidnight))
    }

    @Test("Invalid expressions are refused naming the field", arguments: ["* * * *", "61 * * * *", "* 24 * * *", "*/0 * * * *", "5-1 * * * *", "a * * * *"])
    func invalid(expression: String) {
        #expect { _ = try CronExpression(expression) } throws: { error in
            (error as? SwitchyardError)?.key == .badRequest && (error as? SwitchyardError)?.data["field"] == "cron"
        }
    }

    @Test("The latest matching minute is found across day boundaries")
    func latest() throws {
        let daily = try CronExpression("30 23 * * *")
        #expect(daily.latest(atOrBefore: Self.sundayMidnight + 600, after: 0) == Self.sundayMidnight - 1800)
        #expect(daily.latest(atOrBefore: Self.sundayMidnight + 600, after: Self.sundayMidnight - 1800) == nil)
    }

    @Test("Missed interval ticks all fire after a short outage; after a long one only the latest fires; a new schedule waits for its first tick")
    func catchUp() throws {
        let schedule = JobSchedule(name: "s", kind: "k", queue: .queued, everySeconds: 10)
        let now: Int64 = 1_000_000_000 * 1_000_000 + 5_000_000
        let recent = StoredSchedule(schedule: schedule, createdAt: 0, lastTick: now - 35_000_000)
        #expect(try ScheduleTicks.due(recent, now: now) == [now - 25_000_000, now - 15_000_000, now - 5_000_000])
        let ancient = StoredSchedule(schedule: schedule, createdAt: 0, lastTick: now - 86_400_000_000)
        #expect(try ScheduleTicks.due(ancient, now: now) == [now - 5_000_000])
        let fresh = StoredSchedule(schedule: schedule, createdAt: now - 1_000_000, lastTick: nil)
        #expect(try ScheduleTicks.due(fresh, now: now) == [])
        let cron = StoredSchedule(schedule: JobSchedule(name: "c", kind: "k", queue: .queued, cron: "*/20 * * * *"), createdAt: 0, lastTick: Self.sundayMidnight * 1_000_000)
        #expect(try ScheduleTicks.due(cron, now: (Self.sundayMidnight + 3600) * 1_000_000).map { $0 / 1_000_000 - Self.sundayMidnight } == [1200, 2400, 3600])
    }

    @Test("Backoff doubles per attempt with bounded jitter and stops growing at an hour")
    func backoff() {
        #expect(JobBackoff.delay(afterAttempt: 1, random: 0) == .milliseconds(750))
        #expect(JobBackoff.delay(afterAttempt: 1, random: 0.999_999) < .milliseconds(1250))
        #expect(JobBackoff.delay(afterAttempt: 4, random: 0.5) == .seconds(8))
        #expect(JobBackoff.delay(afterAttempt: 40, random: 0.5) == .seconds(3600))
    }
}
