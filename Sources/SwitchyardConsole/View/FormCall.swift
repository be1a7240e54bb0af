import SwitchyardCore

extension PageRequest {
    /// A state-changing call for a form, with any body (an upload): the API's refusal is returned
    /// (to show by the form's fields), not thrown; an unreachable engine still throws (the banner).
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
