import SwitchyardCore

/// One line of the NDJSON stream `POST /api/v2/jobs` answers with.
package struct RemoteJobEvent: Codable, Sendable, Equatable {
    /// `started`, `request` or `result`.
    package var event: String
    /// The job's id (every event).
    package var jobID: String
    /// For `request`: the number to answer with.
    package var requestID: Int?
    /// For `request`: the API call.
    package var request: SandboxAPIRequest?
    /// For `result`: what the job produced.
    package var result: CodeRunResult?

    /// Creates an event.
    package init(event: String, jobID: String, requestID: Int? = nil, request: SandboxAPIRequest? = nil, result: CodeRunResult? = nil) {
        self.event = event
        self.jobID = jobID
        self.requestID = requestID
        self.request = request
        self.result = result
    }
}

/// The caller's answer to a `request` event, posted to `/api/v2/jobs/{jobID}/responses`.
package struct RemoteJobResponse: Codable, Sendable, Equatable {
    /// The request's number.
    package var requestID: Int
    /// The response data, when the call succeeded.
    package var data: JSONValue?
    /// The failure, when it did not.
    package var error: String?

    /// Creates a response.
    package init(requestID: Int, data: JSONValue? = nil, error: String? = nil) {
        self.requestID = requestID
        self.data = data
        self.error = error
    }
}
