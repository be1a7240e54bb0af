import Foundation
import NIOHTTP1
import SwitchyardConnectors
import SwitchyardCore

/// Runs a `rest-api-mapping` function: its `requestMapping` (`query`, `headers`, `data`,
/// `pathParameters`) is evaluated over the variables, the request goes out through the
/// connection's transport, and `responseMapping` is evaluated over `response.data`,
/// `response.headers` and `response.statusCode` (the whole response data when there is none).
package struct RestAPIMappingRunner: Sendable {
    package var transport: ExternalTransport

    /// Creates a runner.
    package init(transport: @escaping ExternalTransport) {
        self.transport = transport
    }

    /// Runs the function.
    /// - Parameters:
    ///   - file: Where the function is declared, for messages.
    /// - Throws: `bad_request` for a mapping that fails, `unavailable`/`access_denied`/
    ///   `rate_limit_exceeded`/`bad_request` naming the upstream status for a non-2xx answer.
    package func run(_ mapping: ConnectorRestAPIMapping, file: String, variables: JSONValue) async throws(SwitchyardError) -> JSONValue {
        let request = try evaluate(mapping.requestMapping ?? [:], variables: variables, file: file, part: "requestMapping")
        var path = mapping.path
        if case .object(let parameters)? = request["pathParameters"] {
            for (name, value) in parameters {
                path = path.replacingOccurrences(of: "{\(name)}", with: PercentEncoding.encode(RequestParts.text(value)))
            }
        }
        var query = ""
        if case .object(let items)? = request["query"] { query = RequestParts.query(items) }
        var headers = HTTPHeaders()
        if case .object(let items)? = request["headers"] { RequestParts.setHeaders(items, on: &headers) }
        var body: [UInt8]?
        if let data = request["data"], data != .null {
            body = Array(data.jsonText.utf8)
            if !headers.contains(name: "Content-Type") { headers.add(name: "Content-Type", value: "application/json") }
        }
        if !headers.contains(name: "Accept") { headers.add(name: "Accept", value: "application/json") }
        let response = try await transport(
            ExternalCall(method: HTTPMethod(rawValue: mapping.method.rawValue), target: path, query: query.isEmpty ? nil : query, headers: headers, body: body)
        )
        let status = Int(response.status.code)
        let data = ResponseData.parse(response)
        guard (200..<300).contains(status) else {
            let key: SwitchyardError.Key = status == 401 || status == 403 ? .accessDenied : status == 429 ? .rateLimitExceeded : status >= 500 ? .unavailable : .badRequest
            throw SwitchyardError(key, "\(file): the external API answered \(status)", data: ["status": String(status)])
        }
        var responseHeaders: [String: JSONValue] = [:]
        for (name, value) in response.headers { responseHeaders[name.lowercased()] = .string(value) }
        guard let responseMapping = mapping.responseMapping else { return data }
        var scope = variables.objectValue ?? [:]
        scope["response"] = ["data": data, "headers": .object(responseHeaders), "statusCode": .number(Double(status))]
        return try evaluate(responseMapping, variables: .object(scope), file: file, part: "responseMapping")
    }

    private func evaluate(_ formula: JSONValue, variables: JSONValue, file: String, part: String) throws(SwitchyardError) -> JSONValue {
        do {
            return try Formula.evaluate(formula, variables: variables)
        } catch {
            throw SwitchyardError(.badRequest, "\(file): \(part): \(error.message) (at \(error.path))")
        }
    }
}
