/// The one error type that crosses module boundaries and reaches clients.
///
/// A `SwitchyardError` carries a stable ``Key`` (what went wrong, as the API reports it), a
/// message written for the person reading the response, and optional structured data.
/// Internal details (driver errors, file paths, SQL) never go into `message`: put them in
/// `internalDetail`, which is logged but never sent.
package struct SwitchyardError: Error, Sendable, Equatable {
    /// A stable, snake_case error key, as sent in the `key` field of an API error.
    package struct Key: Hashable, Sendable, CustomStringConvertible {
        /// The wire value.
        package let rawValue: String

        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The key with this wire value, or `nil` for a value that names none.
        package init?(rawValue: String) {
            let known: [Key] = [
                .badRequest, .notAuthenticated, .accessDenied, .notFound, .alreadyExists, .tooLarge, .rateLimitExceeded, .conflict,
                .unavailable, .timeout, .notSupported, .outputTooLarge, .interrupted, .internal,
            ]
            guard let key = known.first(where: { $0.rawValue == rawValue }) else { return nil }
            self = key
        }

        /// The request was malformed or failed validation.
        package static let badRequest = Key("bad_request")
        /// No valid credentials were presented.
        package static let notAuthenticated = Key("not_authenticated")
        /// Credentials were valid but do not allow this.
        package static let accessDenied = Key("access_denied")
        /// The addressed object does not exist (or is not visible to the caller).
        package static let notFound = Key("not_found")
        /// An object with the same identity already exists.
        package static let alreadyExists = Key("already_exists")
        /// The request or a value in it is larger than allowed.
        package static let tooLarge = Key("too_large")
        /// Too many requests; retry later.
        package static let rateLimitExceeded = Key("rate_limit_exceeded")
        /// A concurrent change won; the operation may be retried.
        package static let conflict = Key("conflict")
        /// A dependency (database, storage, code runner) is not reachable right now.
        package static let unavailable = Key("unavailable")
        /// The operation took longer than its time limit and was stopped.
        package static let timeout = Key("timeout")
        /// The request asks for something Switchyard does not do (yet), for example a formula
        /// operator that needs a feature not built; answered 400 with a message saying which.
        package static let notSupported = Key("not_supported")
        /// A flow node produced more output than `MAX_NODE_RUN_OUTPUT_SIZE_MB` allows.
        package static let outputTooLarge = Key("output_too_large")
        /// A flow run's worker died while a node that is not safe to repeat was running, so the
        /// node was not run again; a person decides what happens next.
        package static let interrupted = Key("interrupted")
        /// Something failed inside Switchyard; details are in the logs only.
        package static let `internal` = Key("internal")

        package var description: String { rawValue }
    }

    /// What went wrong.
    package var key: Key
    /// A message for the client: names the field, file or value at fault, never internals.
    package var message: String
    /// Structured, client-safe details (for example the list of invalid fields).
    package var data: [String: String]
    /// Seconds after which a retry may succeed (sent as `Retry-After` for 429 and 503).
    package var retryAfterSeconds: Int?
    /// Details for the logs only; never sent to a client.
    package var internalDetail: String?

    /// Creates an error.
    /// - Parameters:
    ///   - key: The stable error key.
    ///   - message: A client-safe message.
    ///   - data: Client-safe structured details.
    ///   - retryAfterSeconds: A retry hint for rate limits and unavailability.
    ///   - internalDetail: Text for the logs only.
    package init(
        _ key: Key,
        _ message: String,
        data: [String: String] = [:],
        retryAfterSeconds: Int? = nil,
        internalDetail: String? = nil
    ) {
        self.key = key
        self.message = message
        self.data = data
        self.retryAfterSeconds = retryAfterSeconds
        self.internalDetail = internalDetail
    }
}

extension SwitchyardError: CustomStringConvertible {
    package var description: String { "\(key): \(message)" }
}
