import SwitchyardCore

/// An API call a job made through `externalApiClient`, `internalApiClient` or `engineApiClient`.
package struct SandboxAPIRequest: Sendable, Codable, Equatable {
    /// Which client: `external`, `internal` or `engine`.
    package var client: String
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    package var method: String
    /// The path (or full URL) the job asked for.
    package var path: String
    /// The body (or query, for GET and DELETE).
    package var data: JSONValue?
    /// Per-call options (headers, …).
    package var options: JSONValue?

    /// Creates a request.
    package init(client: String, method: String, path: String, data: JSONValue? = nil, options: JSONValue? = nil) {
        self.client = client
        self.method = method
        self.path = path
        self.data = data
        self.options = options
    }
}

/// Carries a job's API calls out of the sandbox. The sandbox has no network: the engine side
/// performs each call (adding authentication, refreshing tokens) and hands back the response.
package protocol SandboxAPIBridge: Sendable {
    /// Performs a call for a job.
    /// - Parameter request: The call.
    /// - Returns: The response data the job's promise resolves with.
    /// - Throws: An error whose description becomes the job's rejection message.
    func perform(_ request: SandboxAPIRequest) async throws -> JSONValue
}

/// A bridge for jobs that make no API calls: every call is rejected.
package struct NoAPIBridge: SandboxAPIBridge {
    /// Creates the bridge.
    package init() {}

    package func perform(_ request: SandboxAPIRequest) async throws -> JSONValue {
        throw CodeRunError(.sandboxViolation, "this job has no API client configured (\(request.client))")
    }
}
