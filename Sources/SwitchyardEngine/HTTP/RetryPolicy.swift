import Foundation
import NIOHTTP1

/// When the client sends a request again, and after how long.
///
/// - 429: retried for every method (the server refused to process it), after `Retry-After`
///   when the response has one, else after the backoff delay.
/// - 500, 502, 503, 504 and connection errors: retried for idempotent methods only (GET, HEAD,
///   OPTIONS, PUT, DELETE), after `Retry-After` for 503 when it has one, else the backoff
///   delay. A POST or PATCH may have been processed, so it is never sent twice.
/// - A `Retry-After` longer than ``OutboundHTTPSettings/maxRetryAfter``, or a wait that would
///   end after the request's deadline, is not waited for: the response is returned at once.
enum RetryPolicy {
    /// Methods whose repetition has the effect of one request (RFC 9110, 9.2.2).
    static let idempotentMethods: [HTTPMethod] = [.GET, .HEAD, .OPTIONS, .PUT, .DELETE]

    /// Statuses retried for idempotent methods.
    static let retriedServerErrors: Set<UInt> = [500, 502, 503, 504]

    /// Whether a response with `status` may be retried for `method`.
    static func retries(status: UInt, method: HTTPMethod) -> Bool {
        if status == 429 { return true }
        return retriedServerErrors.contains(status) && idempotentMethods.contains(method)
    }

    /// Whether a request of `method` that failed to connect or lost its connection is retried.
    static func retriesConnectionError(method: HTTPMethod) -> Bool {
        idempotentMethods.contains(method)
    }

    /// The delay a `Retry-After` value asks for: delta-seconds, or an HTTP-date (a date in the
    /// past is no delay). `nil` when the value is neither.
    static func retryAfterDelay(_ value: String, now: Date = Date()) -> Duration? {
        let value = value.trimmingWhitespace
        if !value.isEmpty, value.allSatisfy(\.isASCIIDigit) {
            return .seconds(Int64(value.prefix(12)) ?? Int64.max / 1_000_000_000_000)
        }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: value) {
                let seconds = max(0, date.timeIntervalSince(now))
                return .milliseconds(Int64((seconds * 1000).rounded(.up)))
            }
        }
        return nil
    }

    /// The backoff before retry number `retry` (1 for the first): `base · 2^(retry-1)`, at most
    /// `maximum`, times a random 50–100 % so clients that failed together do not retry together.
    static func backoff(retry: Int, base: Duration, maximum: Duration) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let full = min(base * (1 << exponent), maximum)
        return full * Double.random(in: 0.5...1.0)
    }
}
