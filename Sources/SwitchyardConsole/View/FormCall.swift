import HTTPTypes
import SwitchyardCore

extension PageRequest {
    /// A state-changing call for a form, with a JSON body (see ``submit(_:)``).
    func submit(_ method: HTTPRequest.Method, _ path: String, _ body: JSONValue? = nil) async throws(PageFailure) -> Result<JSONValue, APIProblem> {
        try await submit(EngineRequest(method, path, body: body.map { .json($0) }))
    }

    /// A state-changing call for a form: the API's refusal is returned (to show by the form's
    /// fields), not thrown; an unreachable engine still throws (the page's banner).
    func submit(_ engineRequest: EngineRequest) async throws(PageFailure) -> Result<JSONValue, APIProblem> {
        do throws(PageFailure) {
            return .success(try await call(engineRequest))
        } catch {
            switch error {
            case .problem(let problem): return .failure(problem)
            case .unreachable: throw error
            }
        }
    }
}
