import Foundation
/// How start-up dependency checks retry, and which are skipped.
package struct HealthCheckSettings: Sendable, Equatable {
    /// The dependency checks that can be skipped by name.
    package static let knownChecks: Set<String> = ["database", "storage", "custom_code"]
    /// Names from other systems that are accepted and ignored.
    package static let ignoredChecks: Set<String> = ["mongo", "redis"]

    /// Whether every check is skipped (`SKIP_HEALTH_CHECKS=all`).
    package var skipAll: Bool
    /// Checks skipped by name.
    package var skipped: Set<String>
    /// Names given that Switchyard does not have (`mongo`, `redis`), for a log note.
    package var ignored: [String]
    /// Retries after the first failure (`HEALTH_CHECK_RETRIES`, default 3).
    package var retries: Int
    /// First retry delay (`HEALTH_CHECK_RETRY_DELAY_MS`, default 1000).
    package var retryDelay: Duration
    /// Largest retry delay (`HEALTH_CHECK_MAX_RETRY_DELAY_MS`, default 10000).
    package var maxRetryDelay: Duration
    /// Re-check interval once ready (`HEALTH_CHECK_INTERVAL_MS`, default 10000).
    package var interval: Duration

    /// Reads the settings.
    /// - Parameter env: The environment reader; problems are recorded there.
    package init(env: inout EnvironmentReader) {
        skipAll = false
        skipped = []
        ignored = []
        if let raw = env.string("SKIP_HEALTH_CHECKS") {
            for item in raw.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !item.isEmpty {
                if item == "all" {
                    skipAll = true
                } else if Self.knownChecks.contains(item) {
                    skipped.insert(item)
                } else if Self.ignoredChecks.contains(item) {
                    ignored.append(item)
                } else {
                    let names = (["all"] + Self.knownChecks.sorted()).joined(separator: ", ")
                    env.report("SKIP_HEALTH_CHECKS", "unknown check '\(item)'; use \(names)")
                }
            }
        }
        retries = env.int("HEALTH_CHECK_RETRIES", default: 3, in: 0...1000)
        retryDelay = .milliseconds(env.int("HEALTH_CHECK_RETRY_DELAY_MS", default: 1000, in: 1...3_600_000))
        maxRetryDelay = .milliseconds(env.int("HEALTH_CHECK_MAX_RETRY_DELAY_MS", default: 10_000, in: 1...3_600_000))
        if maxRetryDelay < retryDelay {
            env.report("HEALTH_CHECK_MAX_RETRY_DELAY_MS", "is smaller than HEALTH_CHECK_RETRY_DELAY_MS")
        }
        interval = .milliseconds(env.int("HEALTH_CHECK_INTERVAL_MS", default: 10_000, in: 100...3_600_000))
    }

    /// Whether a named check is skipped.
    /// - Parameter name: The check's name.
    package func isSkipped(_ name: String) -> Bool {
        skipAll || skipped.contains(name)
    }
}
