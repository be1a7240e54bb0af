import NIOHTTP1
import SwitchyardCodeRunner
import SwitchyardCore

/// The `externalApiClient` of a connector's JavaScript: each call the code makes goes out
/// through the connection's transport (base URI, auth, refresh, logging), and the response's
/// JSON (or text) comes back. The sandbox itself has no network.
struct ConnectionAPIBridge: SandboxAPIBridge {
    let transport: ExternalTransport?

    func perform(_ request: SandboxAPIRequest) async throws -> JSONValue {
        guard request.client == "external", let transport else {
            throw CodeRunError(.sandboxViolation, "\(request.client)ApiClient is not available to connector functions")
        }
        let method = HTTPMethod(rawValue: request.method.uppercased())
        var headers = HTTPHeaders()
        if case .object(let items)? = request.options?["headers"] {
            RequestParts.setHeaders(items, on: &headers)
        }
        var query: String?
        var body: [UInt8]?
        if let data = request.data, data != .null {
            if method == .GET || method == .DELETE {
                if case .object(let items) = data { query = RequestParts.query(items) }
            } else {
                body = Array(data.jsonText.utf8)
                if !headers.contains(name: "Content-Type") { headers.add(name: "Content-Type", value: "application/json") }
            }
        }
        if !headers.contains(name: "Accept") { headers.add(name: "Accept", value: "application/json") }
        let response: OutboundResponse
        do {
            response = try await transport(ExternalCall(method: method, target: request.path, query: query, headers: headers, body: body))
        } catch {
            throw CodeRunError(.runtimeError, error.message)
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            throw CodeRunError(.runtimeError, "the external API answered \(status) to \(request.method.uppercased()) \(request.path): \(String(response.text.prefix(300)))")
        }
        return ResponseData.parse(response)
    }
}

/// The data of an external API response: its JSON, else its text, else `null`.
enum ResponseData {
    static func parse(_ response: OutboundResponse) -> JSONValue {
        if response.body.isEmpty { return .null }
        return (try? JSONValue.parse(response.text)) ?? .string(response.text)
    }
}
