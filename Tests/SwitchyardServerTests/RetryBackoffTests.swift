import Testing

@testable import SwitchyardServer

@Suite struct RetryBackoffTests {
    @Test func ceilingDoublesUntilTheMaximum() {
        let backoff = RetryBackoff(initial: .milliseconds(100), maximum: .milliseconds(1000))
        let ceilings = (1...7).map { backoff.ceiling(forRetry: $0) }
        #expect(ceilings == [100, 200, 400, 800, 1000, 1000, 1000].map { .milliseconds($0) })
        #expect(backoff.ceiling(forRetry: 500) == .milliseconds(1000), "no overflow for huge retry counts")
    }

    @Test func jitteredDelayStaysBetweenHalfAndFullCeilingAndVaries() {
        let backoff = RetryBackoff(initial: .milliseconds(100), maximum: .seconds(10))
        var generator = SystemRandomNumberGenerator()
        for retry in 1...8 {
            let ceiling = backoff.ceiling(forRetry: retry)
            let delays = (0..<200).map { _ in backoff.delay(forRetry: retry, using: &generator) }
            #expect(delays.allSatisfy { $0 >= ceiling / 2 && $0 <= ceiling })
            #expect(Set(delays).count > 100, "jitter must spread retries")
        }
    }
}
