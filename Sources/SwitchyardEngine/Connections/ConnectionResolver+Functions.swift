import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// The connector functions around connecting: the credentials an input form gives, and the
/// connection test.
extension ConnectionResolver {
    /// The credentials of an input-based connection: `getCredentialsFromConnectionParameters`
    /// over `{input, connectorParameters}` when the connector has it, else the input itself;
    /// required input fields must be there.
    func credentials(
        from input: [String: JSONValue], option: ConnectorAuthOption, integration: Record, scope: StoreScope
    ) async throws(SwitchyardError) -> JSONValue {
        var missing: [String: String] = [:]
        for field in ConnectInputField.fields(of: option.inputSchema) where field.required {
            if input[field.name].map({ $0 == .null || $0 == "" }) ?? true { missing[field.name] = "is required" }
        }
        guard missing.isEmpty else {
            throw SwitchyardError(.badRequest, "missing connection input: \(missing.keys.sorted().joined(separator: ", "))", data: missing)
        }
        try Self.check(input, against: option.inputSchema)
        guard let function = option.functions[.getCredentialsFromConnectionParameters] else { return .object(input) }
        let variables: JSONValue = ["input": .object(input), "connectorParameters": integration.integrationParameters.json]
        return try await functions.run(
            function, name: "getCredentialsFromConnectionParameters",
            context: .init(workspaceID: scope.workspaceID, tenantID: scope.tenantID, variables: variables, transport: nil)
        )
    }

    /// Checks connection input against the auth option's `inputSchema`.
    /// - Throws: `bad_request` with one entry per field at fault in `data` (keyed by the input's
    ///   name), so a form can show each message next to its field.
    static func check(_ input: [String: JSONValue], against schema: JSONValue?) throws(SwitchyardError) {
        guard let schema, let compiled = try? JSONSchema(schema) else { return }
        // A plain HTML form sends every value as text: read numbers and booleans as the schema types them.
        var typed = input
        for (name, value) in input {
            guard case .string(let text) = value, let type = schema["properties"]?[name]?["type"]?.stringValue else { continue }
            switch type {
            case "integer", "number": if let number = Double(text) { typed[name] = .number(number) }
            case "boolean": if text == "true" || text == "false" { typed[name] = .bool(text == "true") }
            default: break
            }
        }
        let problems = compiled.validate(.object(typed))
        guard !problems.isEmpty else { return }
        var data: [String: String] = [:]
        for problem in problems {
            let field = problem.path.split(whereSeparator: { $0 == "." || $0 == "[" }).first.map(String.init) ?? "input"
            data[field] = data[field] ?? problem.message
        }
        let summary = data.keys.sorted().map { "\($0) \(data[$0] ?? "")" }.joined(separator: "; ")
        throw SwitchyardError(.badRequest, "the connection input is not valid: \(summary)", data: data)
    }

    /// Runs the connector's `test` with these credentials, before there is a connection; a
    /// connector without one passes.
    /// - Throws: `access_denied` naming the upstream status when the test fails.
    func test(_ option: ConnectorAuthOption, variables: JSONValue, scope: StoreScope, tags: [String: String]) async throws(SwitchyardError) {
        guard let function = option.functions[.test] else { return }
        let client = try await client(option: option, variables: variables, workspaceID: scope.workspaceID, tenantID: scope.tenantID)
        let transport = directTransport(client, secrets: ConnectionLog.secretValues(variables["credentials"] ?? .null), tags: tags)
        try await test(function, variables: variables, scope: scope, transport: transport)
    }

    /// Runs a connector's `test` function with its requests sent through `transport`.
    /// - Throws: `access_denied` (or `unavailable`) when the test fails.
    func test(
        _ function: ConnectorFunction, variables: JSONValue, scope: StoreScope, transport: @escaping ExternalTransport
    ) async throws(SwitchyardError) {
        let result: JSONValue
        do {
            result = try await functions.run(
                function, name: "test",
                context: .init(workspaceID: scope.workspaceID, tenantID: scope.tenantID, variables: variables, transport: transport)
            )
        } catch {
            if error.key == .notSupported { throw error }
            throw SwitchyardError(
                error.key == .unavailable ? .unavailable : .accessDenied, "the connection test failed: \(error.message)", data: error.data)
        }
        if result == false || result == .null, function.type != .restAPIMapping {
            throw SwitchyardError(.accessDenied, "the connection test failed: \(function.file) gave \(result.jsonText)")
        }
    }
}
