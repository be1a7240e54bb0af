import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP

/// `<base>/customers/:id/limits`: one customer's queued-task limits over the workspace's
/// (platform admins change them).
enum CustomerLimitPages {
    /// Registers the pages.
    static func register(_ pages: PageRoutes) {
        pages.get("/customers/:id/limits") { page in try await view(page) }
        pages.post("/customers/:id/limits") { page in try await save(page) }
    }

    /// Saves the limits.
    static func save(_ page: PageRequest) async throws -> PageResult {
        try UserPages.requireAdmin(page)
        let id = page.parameter("id")
        let (body, input, fields) = LimitsForm.read(try await page.form())
        guard fields.isEmpty else {
            return try await view(page, input: input, problem: APIProblem(message: "the limits are not valid", fields: fields))
        }
        if case .failure(let problem) = try await page.submit(.put, EngineRequest.path("customers", id, "limits"), body) {
            return try await view(page, input: input, problem: problem)
        }
        return .redirect("/customers" + EngineRequest.path(id, "limits"), notice: "Limits saved.")
    }

    /// The limits page.
    static func view(_ page: PageRequest, input: [String: String]? = nil, problem: APIProblem? = nil) async throws -> PageResult {
        let id = page.parameter("id")
        let customer = try await page.get(EngineRequest.path("customers", id))
        let limits = try await page.get(EngineRequest.path("customers", id, "limits"))
        let base = page.console.settings
        var values: [String: Any] = [
            "customerName": customer["name"]?.stringValue ?? id,
            "customerHref": base.url(EngineRequest.path("customers", customer["id"]?.stringValue ?? id)),
            "limits": LimitsForm.rows(limits, input: input, errors: problem?.fields ?? [:]),
            "limitsEnabled": limits["limitsEnabled"] == .bool(true),
            "limitsAction": base.url(EngineRequest.path("customers", id, "limits")),
        ]
        if let problem { values["problem"] = problem.sentence }
        let title = "Limits of " + (customer["name"]?.stringValue ?? id)
        let status: HTTPResponse.Status = problem.map { .init(code: $0.status) } ?? .ok
        return .view(PageView(title: title, template: "customer-limits", section: "/customers", values: values, status: status))
    }
}
