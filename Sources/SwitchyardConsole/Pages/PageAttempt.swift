import HTTPTypes
import SwitchyardCore

extension PageRequest {
    /// A state-changing call whose refusal the page shows itself (a button's outcome): the
    /// API's answer, or its problem. A missing record and an unreachable engine still throw, so
    /// they get the usual error pages.
    func attempt(_ method: HTTPRequest.Method, _ path: String) async throws(PageFailure) -> Result<JSONValue, APIProblem> {
        let outcome = try await submit(method, path)
        if case .failure(let problem) = outcome, problem.status == 404 { throw .problem(problem) }
        return outcome
    }
}
