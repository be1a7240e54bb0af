/// A UTC calendar breakdown of seconds since the epoch (days-from-civil arithmetic, no time
/// zones, no Foundation formatters). Cron matching and ISO 8601 timestamps both use it.
package struct CivilTime: Sendable, Equatable {
    package var year: Int64
    package var month: Int
    package var day: Int
    package var hour: Int
    package var minute: Int
    package var second: Int
    /// 0 = Sunday.
    package var weekday: Int

    /// Breaks down a time (seconds since the epoch; negative is before 1970).
    package init(_ seconds: Int64) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondsOfDay = Int(seconds - days * 86_400)
        hour = secondsOfDay / 3600
        minute = secondsOfDay % 3600 / 60
        second = secondsOfDay % 60
        weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPart = (5 * dayOfYear + 2) / 153
        day = Int(dayOfYear - (153 * monthPart + 2) / 5 + 1)
        month = Int(monthPart < 10 ? monthPart + 3 : monthPart - 9)
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }
}
