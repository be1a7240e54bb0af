import SwitchyardCore
import SwitchyardStore

/// A five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC.
/// Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, and lists `a,b`. Day of
/// week is 0–7 (0 and 7 are Sunday). As in Vixie cron, when both day fields are restricted a
/// day matches either.
package struct CronExpression: Sendable, Equatable {
    private let minutes: Set<Int>
    private let hours: Set<Int>
    private let days: Set<Int>
    private let months: Set<Int>
    private let weekdays: Set<Int>
    private let daysRestricted: Bool
    private let weekdaysRestricted: Bool

    /// Parses an expression.
    /// - Throws: `bad_request` naming the field at fault.
    package init(_ text: String) throws(SwitchyardError) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw SwitchyardError(.badRequest, "cron expression \"\(text)\" must have 5 fields (minute hour day-of-month month day-of-week)", data: ["field": "cron"])
        }
        minutes = try Self.field(fields[0], name: "minute", range: 0...59)
        hours = try Self.field(fields[1], name: "hour", range: 0...23)
        days = try Self.field(fields[2], name: "day-of-month", range: 1...31)
        months = try Self.field(fields[3], name: "month", range: 1...12)
        weekdays = Set(try Self.field(fields[4], name: "day-of-week", range: 0...7).map { $0 % 7 })
        daysRestricted = fields[2] != "*"
        weekdaysRestricted = fields[4] != "*"
    }

    private static func field(_ text: String, name: String, range: ClosedRange<Int>) throws(SwitchyardError) -> Set<Int> {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(pieces.count) else { throw invalid(text, name, range) }
            let step = pieces.count == 2 ? Int(pieces[1]) : 1
            guard let step, step > 0 else { throw invalid(text, name, range) }
            var low = range.lowerBound
            var high = range.upperBound
            if pieces[0] != "*" {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard (1...2).contains(bounds.count), let first = Int(bounds[0]), let last = Int(bounds.last!), range.contains(first), range.contains(last), first <= last else {
                    throw invalid(text, name, range)
                }
                low = first
                high = bounds.count == 2 || pieces.count == 2 ? (bounds.count == 2 ? last : range.upperBound) : first
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values
    }

    private static func invalid(_ text: String, _ name: String, _ range: ClosedRange<Int>) -> SwitchyardError {
        SwitchyardError(.badRequest, "cron \(name) field \"\(text)\" is not valid (values \(range.lowerBound)-\(range.upperBound), *, a-b, */n, lists)", data: ["field": "cron"])
    }

    /// Whether a minute (seconds since the epoch, UTC) matches.
    package func matches(_ seconds: Int64) -> Bool {
        let time = CivilTime(seconds)
        return minutes.contains(time.minute) && hours.contains(time.hour) && dayMatches(time)
    }

    private func dayMatches(_ time: CivilTime) -> Bool {
        guard months.contains(time.month) else { return false }
        let day = days.contains(time.day)
        let weekday = weekdays.contains(time.weekday)
        if daysRestricted && weekdaysRestricted { return day || weekday }
        return day && weekday
    }

    /// The latest matching minute at or before `time` and after `lowerBound` (both seconds since
    /// the epoch), or `nil`.
    package func latest(atOrBefore time: Int64, after lowerBound: Int64) -> Int64? {
        var candidate = time - ((time % 60) + 60) % 60
        while candidate > lowerBound {
            let civil = CivilTime(candidate)
            if !dayMatches(civil) {
                candidate -= Int64(civil.hour * 3600 + civil.minute * 60) + 60
                continue
            }
            if !hours.contains(civil.hour) {
                candidate -= Int64(civil.minute * 60) + 60
                continue
            }
            if minutes.contains(civil.minute) { return candidate }
            candidate -= 60
        }
        return nil
    }
}

/// When a stored schedule is due.
package enum ScheduleTicks {
    /// Most missed ticks fired one by one after downtime; beyond this only the latest fires.
    package static let catchUpLimit = 60

    /// The ticks to fire now (microseconds since the epoch), oldest first. Every tick missed
    /// since the last one fired is due (a leader change loses none), unless more than
    /// ``catchUpLimit`` were missed: then only the latest fires, so long downtime does not end
    /// in a storm of stale jobs. A new schedule's first tick is the first one after it was saved.
    package static func due(_ stored: StoredSchedule, now: Int64) throws(SwitchyardError) -> [Int64] {
        let floor = stored.lastTick ?? stored.createdAt
        var ticks: [Int64] = []
        if let every = stored.schedule.everySeconds {
            let period = Int64(every) * 1_000_000
            var tick = now / period * period
            while tick > floor, ticks.count <= catchUpLimit {
                ticks.append(tick)
                tick -= period
            }
        } else if let cron = stored.schedule.cron {
            let expression = try CronExpression(cron)
            var bound = now / 1_000_000
            while ticks.count <= catchUpLimit, let minute = expression.latest(atOrBefore: bound, after: floor / 1_000_000) {
                ticks.append(minute * 1_000_000)
                bound = minute - 1
            }
        }
        if ticks.count > catchUpLimit { return [ticks[0]] }
        return ticks.reversed()
    }
}
