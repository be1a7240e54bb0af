import Foundation
import Hummingbird
import SwitchyardCore
import SwitchyardHTTP

/// What a page behind sign-in works with: the request, the signed-in user, the query, the
/// posted form, and calls to the engine API on the user's behalf.
struct PageRequest: Sendable {
    /// The console.
    let console: Console
    /// The HTTP request.
    let request: Request
    /// The request context.
    let context: SwitchyardRequestContext
    /// Who is signed in (the session middleware ran).
    let user: ConsoleSignIn

    /// The user's role.
    var role: ConsoleRole { ConsoleRole(user.role) }

    /// A query parameter; `""` when absent.
    func query(_ name: String) -> String { request.uri.queryParameters.get(name) ?? "" }

    /// A path parameter; `""` when absent.
    func parameter(_ name: String) -> String { context.parameters.get(name) ?? "" }

    /// The posted form (`application/x-www-form-urlencoded`).
    func form() async throws -> ConsoleForm {
        var request = request
        return try await ConsoleForm.read(&request)
    }

    /// The request body's bytes (an upload), up to `limit`.
    func body(upTo limit: Int) async throws(APIProblem) -> [UInt8] {
        var request = request
        do {
            return Array(try await request.collectBody(upTo: limit).readableBytesView)
        } catch {
            throw APIProblem(status: 413, key: "too_large", message: "the upload is larger than \(limit >> 20) MB")
        }
    }

    /// Calls the engine and returns the success answer's JSON (`null` for an empty body).
    /// - Throws: ``PageFailure/problem(_:)`` for an API error, ``PageFailure/unreachable(_:)``
    ///   when the engine cannot be reached.
    func call(_ engineRequest: EngineRequest) async throws(PageFailure) -> JSONValue {
        let response = try await send(engineRequest)
        return response.json ?? .null
    }

    /// Calls the engine and returns the success answer as it came (a download).
    func send(_ engineRequest: EngineRequest) async throws(PageFailure) -> EngineResponse {
        let response: EngineResponse
        do {
            response = try await console.engine.send(engineRequest, for: user)
        } catch {
            throw .unreachable(error.message)
        }
        guard response.succeeded else { throw .problem(APIProblem(response)) }
        return response
    }

    /// `GET path` with query parameters; an empty value is left out.
    func get(_ path: String, _ query: [String: String] = [:]) async throws(PageFailure) -> JSONValue {
        try await call(EngineRequest(.get, path, query: query.filter { !$0.value.isEmpty }))
    }

    /// A state-changing call whose API error a form shows next to its fields.
    /// - Returns: The success answer, or the API's problem.
    /// - Throws: ``PageFailure/unreachable(_:)`` only.
    func submit(_ method: HTTPRequest.Method, _ path: String, _ body: JSONValue? = nil) async throws(PageFailure) -> Result<JSONValue, APIProblem> {
        try await submit(EngineRequest(method, path, body: body.map { .json($0) }))
    }

    /// A state-changing call with a JSON body.
    func change(_ method: HTTPRequest.Method, _ path: String, _ body: JSONValue? = nil) async throws(PageFailure) -> JSONValue {
        try await call(EngineRequest(method, path, body: body.map { .json($0) }))
    }
}
