import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardCore
import Synchronization

/// The HTTP client for every call Switchyard makes to an external API.
///
/// Over one shared async-http-client `HTTPClient` (call ``shutdown()`` before releasing it), it
/// adds what calling third-party APIs from a multi-tenant server needs:
/// - a whole-request deadline (``OutboundRequest/timeout`` or the setting) over retries, waits,
///   redirects and the body, and a connect timeout, both failing with `timeout`;
/// - retries with backoff (``RetryPolicy``);
/// - a response body limit enforced while streaming (`too_large`);
/// - redirects followed here, each hop checked again by the SSRF guard (``AddressPolicy``);
/// - an ``ExternalAPILogEntry`` per attempt, redacted (``Redactor``), handed to the sink.
///
/// For plain http the connection goes to the address the guard checked (with the original
/// `Host`), so a DNS answer changing between check and connect cannot reach a refused address;
/// https connects by name and relies on certificate verification (see decision 0008).
package final class OutboundHTTPClient: Sendable {
    /// The client's limits and policies.
    package let settings: OutboundHTTPSettings

    private let http: HTTPClient
    private let sink: any ExternalAPILogSink
    private let logger: Logger
    private let resolver: any HostResolver
    private let sentCounter = Atomic<Int>(0)

    /// async-http-client logs URLs, which can carry secrets: it gets a logger that drops everything.
    private static let silentLogger = Logger(label: "switchyard.outbound.transport", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Creates a client.
    /// - Parameters:
    ///   - settings: Limits and policies.
    ///   - logSink: Receives an entry for every attempt.
    ///   - logger: For one line per attempt (redacted metadata, never headers or bodies).
    ///   - resolver: Resolves hosts for the SSRF guard.
    package init(
        settings: OutboundHTTPSettings = OutboundHTTPSettings(),
        logSink: any ExternalAPILogSink,
        logger: Logger,
        resolver: any HostResolver = SystemHostResolver()
    ) {
        self.settings = settings
        self.sink = logSink
        self.logger = logger
        self.resolver = resolver
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(Int64(settings.connectTimeout.wholeMilliseconds) * 1_000_000)),
            decompression: .disabled
        )
        http = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration,
            backgroundActivityLogger: Self.silentLogger)
    }

    /// Closes every connection; the client sends nothing afterwards.
    package func shutdown() async throws {
        try await http.shutdown()
    }

    /// How many requests have left this process (every attempt and redirect hop counts; a
    /// request the guard refused does not).
    package var requestsSent: Int { sentCounter.load(ordering: .relaxed) }

    /// Sends a request, following redirects and retrying as the settings say, and returns the
    /// final response with its whole body. Statuses pass through: a 404 or a 503 left after the
    /// last retry is a response, not an error.
    /// - Throws: `access_denied` (scheme or address refused), `bad_request` (invalid URL),
    ///   `timeout`, `too_large` (body over the limit), `unavailable` (connection failed, too
    ///   many redirects).
    package func send(_ request: OutboundRequest) async throws(SwitchyardError) -> OutboundResponse {
        let maxBytes = request.maxResponseBytes ?? settings.maxResponseBytes
        return try await perform(request, keepBytes: .max) { response, url, record, deadline, timeoutError in
            try await withDeadline(deadline, timeoutError: timeoutError) {
                try await Self.readBody(of: response, into: record, maxBytes: maxBytes, url: url)
            }
            return OutboundResponse(status: response.status, headers: response.headers, body: record.body, url: url.text)
        }
    }

    /// Whether a header, query parameter or body field name marks its value as a secret (the
    /// rule the external API log redacts by; see ``ExternalAPILogEntry``).
    package static func isSensitiveName(_ name: String) -> Bool {
        Redactor.isSensitiveName(name)
    }

    /// Sends a request like ``send(_:)``, but hands the final response to `consume` as it
    /// arrives instead of collecting its body: for proxying. The response limit and the
    /// request's deadline apply until `consume` returns; the log entry keeps the first bytes.
    /// - Parameters:
    ///   - request: The request.
    ///   - consume: Reads the body (once) and returns what the caller needs. An error it throws
    ///     that is no `SwitchyardError` becomes `internal`.
    package func stream<T: Sendable>(
        _ request: OutboundRequest,
        _ consume: @escaping @Sendable (OutboundResponseHead, OutboundResponseBody) async throws -> T
    ) async throws(SwitchyardError) -> T {
        let maxBytes = request.maxResponseBytes ?? settings.maxResponseBytes
        return try await perform(request, keepBytes: settings.previewBytes + 4096) { response, url, record, deadline, timeoutError in
            if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maxBytes {
                throw Self.tooLarge(host: url.host, maxBytes: maxBytes)
            }
            let head = OutboundResponseHead(status: response.status, headers: response.headers, url: url.text)
            let body = OutboundResponseBody(body: response.body, record: record, maxBytes: maxBytes, host: url.host, hostHeader: url.hostHeader)
            return try await withDeadline(deadline, timeoutError: timeoutError) {
                do {
                    return try await consume(head, body)
                } catch let error as SwitchyardError {
                    throw error
                } catch {
                    throw SwitchyardError(
                        .internal, "reading the response from \(url.host) failed", data: ["host": url.host],
                        internalDetail: String(describing: type(of: error)))
                }
            }
        }
    }

    // MARK: - The exchange

    /// What the final response is handed to: it reads the body into the record.
    typealias Deliver<T> = @Sendable (HTTPClientResponse, OutboundURL, AttemptRecord, ContinuousClock.Instant, SwitchyardError) async throws -> T

    /// The exchange: guard, send, redirects, retries, logging; `deliver` reads the final body.
    /// Attempt records keep at most `keepBytes` of each body (all of it for ``send(_:)``).
    private func perform<T: Sendable>(_ request: OutboundRequest, keepBytes: Int, deliver: Deliver<T>) async throws(SwitchyardError) -> T {
        let exchange = Exchange(request: request, settings: settings)
        var url: OutboundURL
        do {
            url = try OutboundURL(request.url)
        } catch {
            await log(
                exchange, url: nil, method: request.method, headers: request.headers, body: request.body, attempt: 1,
                record: AttemptRecord(keep: 0), started: .now, error: error)
            throw error
        }
        var method = request.method
        var headers = request.headers
        var body = request.body
        var redirects = 0
        var previousHost: String?

        while true {
            var attempt = 0
            hop: while true {
                attempt += 1
                let started = ContinuousClock.now
                let record = AttemptRecord(keep: keepBytes)
                let timeoutError = exchange.timeoutError(host: url.host)
                var address: IPAddress
                do {
                    let policy = settings.addressPolicy
                    let resolver = self.resolver
                    let host = url.host
                    address = try await withDeadline(exchange.deadline, timeoutError: timeoutError) {
                        let addresses = try await policy.check(host: host, resolver: resolver)
                        // IPv4 first: many containers resolve AAAA records they cannot route.
                        return addresses.first { if case .v4 = $0 { true } else { false } } ?? addresses[0]
                    }
                } catch {
                    var failure = map(error, url: url, exchange: exchange)
                    if let previousHost, failure.key == .accessDenied {
                        failure.message = "\(previousHost) redirected to a refused destination: \(failure.message)"
                    }
                    await log(
                        exchange, url: url, method: method, headers: headers, body: body, attempt: attempt, redirect: redirects,
                        record: record, started: started, error: failure)
                    throw failure
                }

                let response: HTTPClientResponse
                do {
                    let transportRequest = Self.transportRequest(url: url, address: address, method: method, headers: headers, body: body)
                    response = try await withDeadline(exchange.deadline, timeoutError: timeoutError) {
                        record.markSent()
                        self.sentCounter.add(1, ordering: .relaxed)
                        return try await self.http.execute(
                            transportRequest, deadline: .now() + .milliseconds(Int64(exchange.remaining.wholeMilliseconds) + 1000),
                            logger: Self.silentLogger)
                    }
                } catch {
                    let failure = map(error, url: url, exchange: exchange)
                    await log(
                        exchange, url: url, method: method, headers: headers, body: body, attempt: attempt, redirect: redirects,
                        record: record, started: started, error: failure)
                    if Self.isConnectionFailure(error), RetryPolicy.retriesConnectionError(method: method), attempt < settings.maxAttempts,
                        await exchange.wait(RetryPolicy.backoff(retry: attempt, base: settings.backoffBase, maximum: settings.backoffMax))
                    {
                        continue hop
                    }
                    throw failure
                }
                record.setHead(response)
                let status = response.status.code

                // A redirect to follow: drain it, check the limit, and go on with the next hop.
                if [301, 302, 303, 307, 308].contains(status), let location = response.headers.first(name: "location") {
                    await drain(response, record: record, exchange: exchange, url: url)
                    await log(
                        exchange, url: url, method: method, headers: headers, body: body, attempt: attempt, redirect: redirects,
                        record: record, started: started, error: nil)
                    redirects += 1
                    guard redirects <= settings.maxRedirects else {
                        let failure = SwitchyardError(
                            .unavailable,
                            "\(url.host) redirected more than \(settings.maxRedirects) times; outbound requests follow at most \(settings.maxRedirects) redirects",
                            data: ["host": url.host, "maxRedirects": String(settings.maxRedirects)])
                        logger.warning("outbound request stopped", metadata: ["host": "\(url.host)", "error": "\(failure.message)"])
                        throw failure
                    }
                    let next: OutboundURL
                    do {
                        next = try url.resolving(location: location)
                    } catch {
                        var failure = error
                        failure.message = "\(url.host) redirected to a refused destination: \(error.message)"
                        logger.warning(
                            "outbound request stopped", metadata: ["host": "\(url.host)", "error": "\(exchange.redactor.text(failure.message))"])
                        throw failure
                    }
                    (method, headers, body) = Self.redirected(status: status, from: url, to: next, method: method, headers: headers, body: body)
                    previousHost = url.host
                    url = next
                    break hop
                }

                // A status to retry, if attempts and time are left.
                if RetryPolicy.retries(status: status, method: method), attempt < settings.maxAttempts {
                    var delay = RetryPolicy.backoff(retry: attempt, base: settings.backoffBase, maximum: settings.backoffMax)
                    var retry = true
                    if status == 429 || status == 503, let header = response.headers.first(name: "retry-after"),
                        let asked = RetryPolicy.retryAfterDelay(header)
                    {
                        delay = asked
                        retry = asked <= settings.maxRetryAfter
                    }
                    if retry && exchange.fits(delay) {
                        await drain(response, record: record, exchange: exchange, url: url)
                        await log(
                            exchange, url: url, method: method, headers: headers, body: body, attempt: attempt, redirect: redirects,
                            record: record, started: started, error: nil)
                        if await exchange.wait(delay) { continue hop }
                        throw SwitchyardError(.unavailable, "the request to \(url.host) was cancelled", data: ["host": url.host])
                    }
                }

                // The final response.
                do {
                    let result = try await deliver(response, url, record, exchange.deadline, timeoutError)
                    await log(
                        exchange, url: url, method: method, headers: headers, body: body, attempt: attempt, redirect: redirects,
                        record: record, started: started, error: nil)
                    return result
                } catch {
                    let failure = map(error, url: url, exchange: exchange)
                    await log(
                        exchange, url: url, method: method, headers: headers, body: body, attempt: attempt, redirect: redirects,
                        record: record, started: started, error: failure)
                    throw failure
                }
            }
        }
    }

    /// The request as async-http-client sends it: plain http to the checked address with the
    /// original `Host`, https by name.
    private static func transportRequest(
        url: OutboundURL, address: IPAddress, method: HTTPMethod, headers: HTTPHeaders, body: [UInt8]?
    ) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url.scheme == "http" ? url.pinned(to: address) : url.text)
        request.method = method
        request.headers = headers
        request.headers.remove(name: "host")
        request.headers.add(name: "Host", value: url.hostHeader)
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return request
    }

    /// Method, headers and body for the next hop: 303 (and 301/302 after POST) become GET
    /// without body; 307 and 308 keep both; a new origin gets no credential headers.
    static func redirected(
        status: UInt, from url: OutboundURL, to next: OutboundURL, method: HTTPMethod, headers: HTTPHeaders, body: [UInt8]?
    ) -> (HTTPMethod, HTTPHeaders, [UInt8]?) {
        var method = method
        var headers = headers
        var body = body
        if (status == 303 && method != .HEAD) || ((status == 301 || status == 302) && method == .POST) {
            method = .GET
            body = nil
            for name in ["content-type", "content-length", "content-encoding", "transfer-encoding"] { headers.remove(name: name) }
        }
        if next.origin != url.origin {
            for name in Set(headers.map { $0.name.lowercased() }) where Redactor.isSensitiveName(name) {
                headers.remove(name: name)
            }
        }
        return (method, headers, body)
    }

    /// Reads a body into the record, failing with `too_large` once it passes `maxBytes`
    /// (before reading anything when `Content-Length` already says so).
    static func readBody(of response: HTTPClientResponse, into record: AttemptRecord, maxBytes: Int, url: OutboundURL) async throws {
        if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maxBytes {
            throw tooLarge(host: url.host, maxBytes: maxBytes)
        }
        let body = OutboundResponseBody(body: response.body, record: record, maxBytes: maxBytes, host: url.host, hostHeader: url.hostHeader)
        for try await _ in body {}
    }

    /// The error for a response body over the limit.
    static func tooLarge(host: String, maxBytes: Int) -> SwitchyardError {
        SwitchyardError(
            .tooLarge, "the response from \(host) is larger than the \(byteText(maxBytes)) limit for outbound responses",
            data: ["host": host, "limit": String(maxBytes)])
    }

    /// Reads and drops the body of a response that is not the final one (a redirect, a status
    /// to retry), within the limit and the deadline; what fails is of no interest.
    private func drain(_ response: HTTPClientResponse, record: AttemptRecord, exchange: Exchange, url: OutboundURL) async {
        let maxBytes = exchange.maxResponseBytes
        _ = try? await withDeadline(exchange.deadline, timeoutError: exchange.timeoutError(host: url.host)) {
            try await Self.readBody(of: response, into: record, maxBytes: maxBytes, url: url)
        }
    }

    /// The `SwitchyardError` for anything an attempt threw.
    func map(_ error: any Error, url: OutboundURL, exchange: Exchange) -> SwitchyardError {
        let connectTimeout = settings.connectTimeout
        if let error = error as? SwitchyardError { return error }
        let host = url.host
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout:
                return SwitchyardError(
                    .timeout, "could not connect to \(url.hostHeader) within \(connectTimeout.shortText)",
                    data: ["host": host, "limitMilliseconds": String(connectTimeout.wholeMilliseconds)])
            case .deadlineExceeded, .readTimeout:
                return exchange.timeoutError(host: host)
            case .cancelled:
                return SwitchyardError(.unavailable, "the request to \(host) was cancelled", data: ["host": host])
            default:
                break
            }
        }
        if error is CancellationError {
            return SwitchyardError(.unavailable, "the request to \(host) was cancelled", data: ["host": host])
        }
        return SwitchyardError(
            .unavailable, "the connection to \(url.hostHeader) failed or was lost before the response ended",
            data: ["host": host], internalDetail: exchange.redactor.text(String(describing: error)))
    }

    /// Whether an error is a failure to connect or a lost connection (not a timeout of the
    /// whole request, a cancellation or a refusal).
    static func isConnectionFailure(_ error: any Error) -> Bool {
        if error is SwitchyardError || error is CancellationError { return false }
        if let error = error as? HTTPClientError, [.deadlineExceeded, .readTimeout, .cancelled].contains(error) { return false }
        return true
    }

    /// `512 bytes`, `64 KiB`, `10 MiB` (exact values only; otherwise bytes).
    static func byteText(_ count: Int) -> String {
        if count >= 1 << 20, count % (1 << 20) == 0 { return "\(count >> 20) MiB" }
        if count >= 1 << 10, count % (1 << 10) == 0 { return "\(count >> 10) KiB" }
        return "\(count)-byte"
    }

    // MARK: - Logging

    private func log(
        _ exchange: Exchange, url: OutboundURL?, method: HTTPMethod, headers: HTTPHeaders, body: [UInt8]?, attempt: Int,
        redirect: Int = 0, record: AttemptRecord, started: ContinuousClock.Instant, error: SwitchyardError?
    ) async {
        let redactor = exchange.redactor
        let snapshot = record.snapshot
        let duration = (ContinuousClock.now - started).wholeMilliseconds
        let redactedURL = redactor.url(url?.text ?? exchange.request.url)
        let errorText = error.map { redactor.text("\($0.key): \($0.message)") }
        var sentHeaders = headers
        if let url {
            sentHeaders.remove(name: "host")
            sentHeaders.add(name: "Host", value: url.hostHeader)
        }
        let entry = ExternalAPILogEntry(
            exchangeID: exchange.id,
            startedAt: Date(timeIntervalSinceNow: -Double(duration) / 1000),
            method: method.rawValue,
            url: redactedURL,
            host: url?.host ?? "",
            attempt: attempt,
            redirect: redirect,
            requestHeaders: redactor.headers(sentHeaders),
            requestBodyBytes: body?.count ?? 0,
            requestBodyPreview: exchange.request.logsBodies ? body.flatMap { redactor.preview($0, limit: settings.previewBytes) } : nil,
            status: snapshot.status.map { Int($0.code) },
            responseHeaders: redactor.headers(snapshot.headers),
            responseBodyBytes: snapshot.bodyBytes,
            responseBodyPreview: exchange.request.logsBodies ? redactor.preview(snapshot.body, limit: settings.previewBytes) : nil,
            error: errorText,
            sent: snapshot.sent,
            durationMilliseconds: duration,
            tags: exchange.request.tags,
            requestID: exchange.requestID)
        var metadata: Logger.Metadata = [
            "exchange": "\(exchange.id.uuidString)", "method": "\(method.rawValue)", "host": "\(url?.host ?? "")",
            "url": "\(redactedURL)", "attempt": "\(attempt)", "redirect": "\(redirect)", "duration_ms": "\(duration)",
        ]
        if let status = entry.status { metadata["status"] = "\(status)" }
        if let requestID = exchange.requestID { metadata["request.id"] = "\(requestID)" }
        if let errorText {
            metadata["error"] = "\(errorText)"
            logger.warning(snapshot.sent ? "outbound request failed" : "outbound request refused", metadata: metadata)
        } else {
            logger.debug("outbound request", metadata: metadata)
        }
        await sink.record(entry)
    }
}

/// One call of ``OutboundHTTPClient/send(_:)``: its deadline, redactor and log identity.
struct Exchange: Sendable {
    let id = UUID()
    /// The API request this exchange is made for (``RequestTrace``), read where it starts.
    let requestID = RequestTrace.requestID
    let request: OutboundRequest
    let redactor: Redactor
    let limit: Duration
    let deadline: ContinuousClock.Instant
    let maxResponseBytes: Int

    init(request: OutboundRequest, settings: OutboundHTTPSettings) {
        self.request = request
        redactor = Redactor(request: request)
        limit = request.timeout ?? settings.requestTimeout
        deadline = .now + limit
        maxResponseBytes = request.maxResponseBytes ?? settings.maxResponseBytes
    }

    var remaining: Duration { max(.zero, deadline - .now) }

    /// Whether a wait of `delay` ends before the deadline.
    func fits(_ delay: Duration) -> Bool { ContinuousClock.now + delay < deadline }

    /// Waits before a retry; `false` when the wait does not fit the deadline or was cancelled.
    func wait(_ delay: Duration) async -> Bool {
        guard fits(delay) else { return false }
        do {
            try await Task.sleep(for: delay)
            return true
        } catch {
            return false
        }
    }

    func timeoutError(host: String) -> SwitchyardError {
        SwitchyardError(
            .timeout, "the request to \(host) did not complete within \(limit.shortText)",
            data: ["host": host, "limitMilliseconds": String(limit.wholeMilliseconds)])
    }
}

/// What one attempt got, filled in as it goes, so the log entry shows it however it ended.
final class AttemptRecord: Sendable {
    struct Snapshot {
        var sent = false
        var status: HTTPResponseStatus?
        var headers: HTTPHeaders = [:]
        /// The first bytes of the body, up to the record's `keep`.
        var body: [UInt8] = []
        /// Every body byte received.
        var bodyBytes = 0
    }

    private let state = Mutex(Snapshot())
    private let keep: Int

    /// A record keeping at most `keep` bytes of the body.
    init(keep: Int) { self.keep = keep }

    var snapshot: Snapshot { state.withLock { $0 } }
    var body: [UInt8] { state.withLock { $0.body } }

    func markSent() { state.withLock { $0.sent = true } }

    func setHead(_ response: HTTPClientResponse) {
        state.withLock {
            $0.status = response.status
            $0.headers = response.headers
        }
    }

    func append(_ chunk: ByteBuffer) {
        state.withLock {
            $0.bodyBytes += chunk.readableBytes
            let room = keep - $0.body.count
            if room > 0 { $0.body.append(contentsOf: chunk.readableBytesView.prefix(room)) }
        }
    }
}
