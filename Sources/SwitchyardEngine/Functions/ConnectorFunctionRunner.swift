import SwitchyardCodeRunner
import SwitchyardConnectors
import SwitchyardCore

/// Runs one connector function, whatever its implementation: a `mapping` is evaluated over the
/// variables, a `rest-api-mapping` makes its request through the transport, and `javascript`
/// runs in the custom code runner with `input`, `credentials`, `parameters`,
/// `connectorParameters` and an `externalApiClient` that goes through the transport.
package struct ConnectorFunctionRunner: Sendable {
    /// Who the function runs for and what it sees.
    package struct Context: Sendable {
        /// The workspace (the code runner isolates by workspace and tenant).
        package var workspaceID: String
        /// The tenant, when the function runs for one.
        package var tenantID: String?
        /// `credentials`, `connectorParameters`, `parameters`, `input` (and anything else a
        /// mapping may refer to).
        package var variables: JSONValue
        /// How the function's requests reach the external API; `nil` when it may make none.
        package var transport: ExternalTransport?

        /// Creates a context.
        package init(workspaceID: String, tenantID: String?, variables: JSONValue, transport: ExternalTransport?) {
            self.workspaceID = workspaceID
            self.tenantID = tenantID
            self.variables = variables
            self.transport = transport
        }
    }

    /// The code runner; without one, JavaScript functions fail with `not_supported`.
    package var code: (any CodeExecutor)?

    /// Creates a runner.
    package init(code: (any CodeExecutor)?) {
        self.code = code
    }

    /// Runs `function` (called `name` in messages).
    /// - Throws: `bad_request` naming the file and formula path for a mapping that fails;
    ///   the upstream's status mapped to a key for a failed request; `bad_request` with the
    ///   code's error for JavaScript that throws; `not_supported` without a code runner.
    package func run(_ function: ConnectorFunction, name: String, context: Context) async throws(SwitchyardError) -> JSONValue {
        switch function.implementation {
        case .mapping(let mapping):
            do {
                return try Formula.evaluate(mapping, variables: context.variables)
            } catch {
                throw SwitchyardError(.badRequest, "\(function.file): \(name): \(error.message) (at \(error.path))")
            }
        case .restAPIMapping(let mapping):
            guard let transport = context.transport else {
                throw SwitchyardError(.badRequest, "\(function.file): \(name) cannot be a rest-api-mapping (there is no API client to send it with)")
            }
            return try await RestAPIMappingRunner(transport: transport).run(mapping, file: function.file, variables: context.variables)
        case .javascript(let source):
            guard let code else {
                throw SwitchyardError(.notSupported, "\(function.file): \(name) is JavaScript, and this process has no custom code runner (set CUSTOM_CODE_RUNNER_URI)")
            }
            let job = CodeJob(
                workspaceID: context.workspaceID, tenantID: context.tenantID, code: source, input: context.variables["input"] ?? .null,
                credentials: context.variables["credentials"], parameters: context.variables["parameters"], connectorParameters: context.variables["connectorParameters"]
            )
            let result = await code.run(job, bridge: ConnectionAPIBridge(transport: context.transport))
            if let error = result.error {
                let key: SwitchyardError.Key = error.type == .busy || error.type == .unavailable ? .unavailable : .badRequest
                let place = error.line.map { " (line \($0)\(error.column.map { ", column \($0)" } ?? ""))" } ?? ""
                throw SwitchyardError(key, "\(function.file): \(name) failed: \(error.type): \(error.message)\(place)", data: ["type": error.type.rawValue])
            }
            return result.value ?? .null
        }
    }
}
