import SwitchyardCore

/// One run of custom JavaScript: the code, what it is called with, and whose it is.
package struct CodeJob: Sendable, Codable, Equatable {
    /// The workspace the code belongs to.
    package var workspaceID: String
    /// The tenant the code runs for; `nil` for workspace-level code. A sandbox process never
    /// runs code of two different (workspace, tenant) pairs.
    package var tenantID: String?
    /// ES2022 source exporting a function (`export default` or `module.exports`).
    package var code: String
    /// A named export to call instead of the default one.
    package var exportName: String?
    /// The function's `input`.
    package var input: JSONValue
    /// The function's `credentials` (only when the connector function is meant to see them).
    package var credentials: JSONValue?
    /// The function's `parameters`.
    package var parameters: JSONValue?
    /// The function's `connectorParameters`.
    package var connectorParameters: JSONValue?
    /// Wall-clock limit in milliseconds; the runner's default when `nil`, capped by its maximum.
    package var timeoutMilliseconds: Int?

    /// Creates a job.
    package init(
        workspaceID: String,
        tenantID: String?,
        code: String,
        exportName: String? = nil,
        input: JSONValue = .null,
        credentials: JSONValue? = nil,
        parameters: JSONValue? = nil,
        connectorParameters: JSONValue? = nil,
        timeoutMilliseconds: Int? = nil
    ) {
        self.workspaceID = workspaceID
        self.tenantID = tenantID
        self.code = code
        self.exportName = exportName
        self.input = input
        self.credentials = credentials
        self.parameters = parameters
        self.connectorParameters = connectorParameters
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// The isolation key: processes are never shared across different keys.
    package var isolationKey: String { "\(workspaceID)/\(tenantID ?? "-")" }
}
