import Foundation
import NIOHTTP1
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// Runs one action synchronously: the input is checked against `inputSchema`, the type does its
/// work (through the connection when it needs one), and `outputMapping` (over `{input, output}`)
/// shapes the result.
package struct ActionRunner: Sendable {
    /// Sends `http` actions' requests as the connection.
    let sender: ConnectionSender
    /// Runs operations, data collection methods, JavaScript and requests to the SaaS's API.
    let operations: ConnectionOperations

    /// Creates a runner (``ConnectionServices/actions`` builds one over a process's connections).
    package init(sender: ConnectionSender, operations: ConnectionOperations) {
        self.sender = sender
        self.operations = operations
    }

    /// Every credential value of a connection, for redacting run logs.
    package func secretValues(of connection: Record) async -> [String] {
        await operations.secretValues(of: connection)
    }

    /// Runs `action` with `input`, as `connectionID` when it has one.
    /// - Parameter variables: What config formulas and `outputMapping` see; `{input}` when
    ///   `nil` (a flow node gives `{input, nodes, parameters, item, index}`).
    /// - Throws: `bad_request` for input the schema refuses (every problem, by path) or a config
    ///   formula that fails; `bad_request` when the type needs a connection and none is given;
    ///   the connection's and the external API's errors otherwise.
    package func run(
        _ action: ActionDefinition, input: JSONValue, variables: JSONValue? = nil, connectionID: String?, scope: StoreScope
    ) async throws(SwitchyardError) -> JSONValue {
        try action.inputSchema?.check(input, what: "input of action \(action.name)")
        if action.kind.needsConnection, connectionID == nil {
            throw SwitchyardError(
                .badRequest, "action \(action.name) (\(action.kind.rawValue)) runs through a connection; give connectionId",
                data: ["connectionId": "is required"])
        }
        let variables = variables ?? ["input": input]
        let links = try await links(for: Array(action.config.values), variables, connectionID: connectionID, scope: scope)
        let output = try await perform(action, input: input, variables: variables, links: links, connectionID: connectionID, scope: scope)
        guard let mapping = action.outputMapping else { return output }
        var mappingVariables = variables.objectValue ?? [:]
        mappingVariables["output"] = output
        let outputLinks = try await self.links(for: [mapping], .object(mappingVariables), connectionID: connectionID, scope: scope)
        return try evaluate(mapping, .object(mappingVariables), action, field: "outputMapping", links: outputLinks)
    }

    /// A node's config with its formulas evaluated (data link operators resolved through the
    /// connection's tables), as a flow run records the node's input.
    package func evaluateConfig(
        _ config: [String: JSONValue], variables: JSONValue, name: String, connectionID: String?, scope: StoreScope
    ) async throws(SwitchyardError) -> JSONValue {
        let links = try await links(for: [.object(config)], variables, connectionID: connectionID, scope: scope)
        return try DataLinks.evaluate(.object(config), variables: variables, links: links) { error in
            SwitchyardError(.badRequest, "node \(name): config: \(error.message) (at \(error.path))", data: ["config": error.message])
        }
    }

    /// The data link answers formulas in `values` need, looked up through the connection's data
    /// link tables; `nil` without a connection (the link operators then fail).
    func links(for values: [JSONValue], _ variables: JSONValue, connectionID: String?, scope: StoreScope) async throws(SwitchyardError)
        -> FormulaLinks?
    {
        guard let connectionID else { return nil }
        var links = FormulaLinks()
        try await dataLinks.prefetch(values, variables: variables, connectionID: connectionID, scope: scope, into: &links)
        return links
    }

    /// Data links of the process's store.
    var dataLinks: DataLinks { DataLinks(records: operations.resolver.records) }

    private func perform(
        _ action: ActionDefinition, input: JSONValue, variables: JSONValue, links: FormulaLinks?, connectionID: String?, scope: StoreScope
    ) async throws(SwitchyardError) -> JSONValue {
        func value(_ field: String) throws(SwitchyardError) -> JSONValue? {
            guard let formula = action.config[field] else { return nil }
            return try evaluate(formula, variables, action, field: "config.\(field)", links: links)
        }
        let connection = connectionID ?? ""
        switch action.kind {
        case .transform:
            return try value("output") ?? .null
        case .apiRequestToExternalApp:
            let call = try request(action, value: value, target: "path")
            let response = try await sender.send(connectionID: connection, scope: scope, call: call)
            return try Self.result(response, action: action)
        case .apiRequestToYourApp:
            let call = try request(action, value: value, target: "url")
            guard call.target.hasPrefix("http://") || call.target.hasPrefix("https://") else {
                throw SwitchyardError(
                    .badRequest, "action \(action.name): config.url must give a full http(s) URL, got \(call.target)",
                    data: ["config.url": "must be an http(s) URL"])
            }
            let response = try await operations.sendToApp(call, scope: scope)
            return try Self.result(response, action: action)
        case .connectorOperation:
            let key = try value("operationKey")?.stringValue ?? ""
            return try await operations.runOperation(connectionID: connection, key: key, input: try value("input") ?? input, scope: scope)
        case .runJavaScript:
            let code = try value("code")?.stringValue ?? ""
            return try await operations.runJavaScript(code, name: "action \(action.name)", input: input, connectionID: connectionID, scope: scope)
        case .listDataRecords, .searchDataRecords, .matchDataRecord, .findDataRecordByID, .createDataRecord, .updateDataRecord, .deleteDataRecord,
            .findOrCreateDataRecord, .createDataLink, .findDataLink:
            return try await runData(action, value: value, connectionID: connection, scope: scope)
        }
    }

    /// The method a data action calls and its input: `{id}`, `{fields}`, `{id, fields}`,
    /// `{query}`, `{filter, cursor}`.
    static func dataCall(
        _ kind: ActionDefinition.Kind, value: (String) throws(SwitchyardError) -> JSONValue?
    ) throws(SwitchyardError) -> (ConnectorDataMethod, JSONValue) {
        var input: [String: JSONValue] = [:]
        let method: ConnectorDataMethod
        switch kind {
        case .listDataRecords: method = .list
        case .searchDataRecords: method = .search
        case .matchDataRecord: method = .match
        case .findDataRecordByID: method = .findById
        case .createDataRecord: method = .create
        case .updateDataRecord: method = .update
        default: method = .delete
        }
        for field in ["id", "fields", "query", "filter", "cursor", "limit"] {
            if let found = try value(field) { input[field] = found }
        }
        return (method, .object(input))
    }

    /// The record a `match` found, if it found one (`{record}`, a bare record, or nothing).
    static func matched(_ result: JSONValue) -> JSONValue? {
        // (JSONValue is expressible by nil, so every "none" here is spelled out.)
        let none: JSONValue? = .none
        if case .object(let members) = result {
            if let record = members["record"] { return record == .null ? none : .some(record) }
            return members.isEmpty ? none : .some(result)
        }
        return result == .null ? none : .some(result)
    }

    private func request(
        _ action: ActionDefinition, value: (String) throws(SwitchyardError) -> JSONValue?, target field: String
    ) throws(SwitchyardError) -> ExternalCall {
        let method = (try value("method")?.stringValue ?? "GET").uppercased()
        guard ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method) else {
            throw SwitchyardError(
                .badRequest, "action \(action.name): config.method must be GET, POST, PUT, PATCH or DELETE", data: ["config.method": "unknown method"]
            )
        }
        guard let target = try value(field)?.stringValue, !target.isEmpty else {
            throw SwitchyardError(
                .badRequest, "action \(action.name): config.\(field) must give a string", data: ["config.\(field)": "must be a string"])
        }
        var headers = HTTPHeaders([("Accept", "application/json")])
        if case .object(let items)? = try value("headers") {
            RequestParts.setHeaders(items, on: &headers)
        }
        var query: String?
        if case .object(let items)? = try value("query") {
            query = RequestParts.query(items)
        }
        var body: [UInt8]?
        if let data = try value("body"), data != .null {
            body = Array(data.jsonText.utf8)
            if !headers.contains(name: "Content-Type") { headers.add(name: "Content-Type", value: "application/json") }
        }
        return ExternalCall(method: HTTPMethod(rawValue: method), target: target, query: query, headers: headers, body: body)
    }

    /// `{status, headers, data}` of a 2xx response.
    /// - Throws: The status mapped to an error key (401/403 `access_denied`, 404 `not_found`,
    ///   429 `rate_limit_exceeded`, 5xx `unavailable`, other 4xx `bad_request`), with the status
    ///   and the start of the body in `data`.
    static func result(_ response: OutboundResponse, action: ActionDefinition) throws(SwitchyardError) -> JSONValue {
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let key: SwitchyardError.Key =
                switch status {
                case 401, 403: .accessDenied
                case 404: .notFound
                case 429: .rateLimitExceeded
                case 500...: .unavailable
                default: .badRequest
                }
            throw SwitchyardError(
                key, "action \(action.name): the API answered \(status)", data: ["status": String(status), "body": String(response.text.prefix(500))])
        }
        var headers: [String: JSONValue] = [:]
        for (name, value) in response.headers { headers[name.lowercased()] = .string(value) }
        return ["status": .number(Double(status)), "headers": .object(headers), "data": ResponseData.parse(response)]
    }

    private func evaluate(
        _ formula: JSONValue, _ variables: JSONValue, _ action: ActionDefinition, field: String, links: FormulaLinks?
    ) throws(SwitchyardError) -> JSONValue {
        try DataLinks.evaluate(formula, variables: variables, links: links) { error in
            SwitchyardError(.badRequest, "action \(action.name): \(field): \(error.message) (at \(error.path))", data: [field: error.message])
        }
    }
}
