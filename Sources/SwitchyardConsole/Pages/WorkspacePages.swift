import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP

/// `<base>/workspace`: the workspace key, its secret (masked; revealed or rotated on request),
/// the public key tenant tokens may be signed against, a test tenant token generator, and the
/// queued-task limits (changed by platform admins; enforced with `ENABLE_LIMITS`).
enum WorkspacePages {
    /// Registers the pages.
    static func register(_ pages: PageRoutes) {
        pages.get("/workspace") { page in try await show(page) }
        pages.post("/workspace/reveal-secret") { page in try await reveal(page) }
        pages.post("/workspace/rotate-secret") { page in try await rotate(page) }
        pages.post("/workspace/public-key") { page in try await setPublicKey(page) }
        pages.post("/workspace/public-key/remove") { page in try await removePublicKey(page) }
        pages.post("/workspace/test-token") { page in try await testToken(page) }
        pages.post("/workspace/limits") { page in try await saveLimits(page) }
        pages.post("/workspace/embedding") { page in try await saveEmbedding(page) }
    }

    /// The settings page.
    static func show(_ page: PageRequest) async throws -> PageResult {
        try await view(page)
    }

    /// Shows the secret once, on this answer only.
    static func reveal(_ page: PageRequest) async throws -> PageResult {
        let answer = try await page.change(.post, "/workspace/reveal-secret")
        return try await view(page, extra: ["revealed": answer["secret"]?.stringValue ?? ""])
    }

    /// Replaces the secret; the old one is accepted for 24 more hours.
    static func rotate(_ page: PageRequest) async throws -> PageResult {
        let answer = try await page.change(.post, "/workspace/rotate-secret")
        return try await view(page, extra: ["revealed": answer["secret"]?.stringValue ?? "", "rotated": true])
    }

    /// Registers a public key.
    static func setPublicKey(_ page: PageRequest) async throws -> PageResult {
        let pem = try await page.form()["pem"]
        if case .failure(let problem) = try await page.submit(.put, "/workspace/public-key", ["pem": .string(pem)]) {
            return try await view(page, extra: ["pemInput": pem], problem: problem)
        }
        return .redirect("/workspace", notice: "Public key registered.")
    }

    /// Removes the public key.
    static func removePublicKey(_ page: PageRequest) async throws -> PageResult {
        _ = try await page.change(.delete, "/workspace/public-key")
        return .redirect("/workspace", notice: "Public key removed.")
    }

    /// Mints a short-lived tenant token for trying the API as a customer.
    static func testToken(_ page: PageRequest) async throws -> PageResult {
        let form = try await page.form()
        let tenant = form["tenant"].trimmingWhitespace()
        let minutes = Int(form["minutes"]) ?? 0
        var fields: [String: String] = [:]
        if tenant.isEmpty || tenant.count > 256 { fields["tenant"] = "must be 1 to 256 characters" }
        if !(1...(TenantTokenMinter.maxLifetimeSeconds / 60)).contains(minutes) { fields["minutes"] = "must be a whole number from 1 to 1440" }
        let input = ["tenant": tenant, "tenantName": form["tenantName"], "minutes": form["minutes"]]
        guard fields.isEmpty else {
            let problem = APIProblem(message: "the test token's fields are not valid", fields: fields)
            return try await view(page, extra: ["tokenInput": input], problem: problem)
        }
        let workspace = try await page.get("/workspace")
        let secret = try await page.change(.post, "/workspace/reveal-secret")["secret"]?.stringValue ?? ""
        let token = TenantTokenMinter.mint(
            workspaceKey: workspace["key"]?.stringValue ?? "", secret: secret, tenant: tenant, name: form["tenantName"].trimmingWhitespace(),
            lifetimeSeconds: minutes * 60)
        return try await view(page, extra: ["token": token, "tokenInput": input])
    }

    /// Saves the workspace's queued-task limits (platform admins only).
    static func saveLimits(_ page: PageRequest) async throws -> PageResult {
        try UserPages.requireAdmin(page)
        let form = try await page.form()
        let (body, input, fields) = LimitsForm.read(form)
        guard fields.isEmpty else {
            return try await view(page, extra: ["limitsInput": input], problem: APIProblem(message: "the limits are not valid", fields: fields))
        }
        if case .failure(let problem) = try await page.submit(.put, "/workspace/limits", body) {
            return try await view(page, extra: ["limitsInput": input], problem: problem)
        }
        return .redirect("/workspace", notice: "Workspace limits saved.")
    }

    /// Saves the origins whose pages may embed the end-user UI: one per line.
    static func saveEmbedding(_ page: PageRequest) async throws -> PageResult {
        let text = try await page.form()["origins"]
        let origins = text.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        if case .failure(let problem) = try await page.submit(.patch, "/workspace", ["uiAllowedOrigins": .array(origins.map(JSONValue.string))]) {
            return try await view(page, extra: ["originsInput": text], problem: problem)
        }
        return .redirect("/workspace", notice: origins.isEmpty ? "No origin may embed the UI now." : "Embedding origins saved.")
    }

    private static func view(_ page: PageRequest, extra: [String: Any] = [:], problem: APIProblem? = nil) async throws -> PageResult {
        let workspace = try await page.get("/workspace")
        let limits = try await page.get("/workspace/limits")
        var values = ViewValue.of(workspace) as? [String: Any] ?? [:]
        values["previousUntil"] = ViewValue.time(workspace["previousSecretValidUntil"]?.stringValue)
        values["limits"] = LimitsForm.rows(limits, input: extra["limitsInput"] as? [String: String], errors: problem?.fields ?? [:])
        values["limitsEnabled"] = limits["limitsEnabled"] == .bool(true)
        values["limitsAction"] = page.console.settings.url("/workspace/limits")
        values["tokenInput"] = ["minutes": "60"]
        values["originsInput"] = (workspace["uiAllowedOrigins"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: "\n")
        if let problem {
            values["problem"] = problem.sentence
            values["errors"] = problem.fieldValues
        }
        for (name, value) in extra { values[name] = value }
        let status: HTTPResponse.Status = problem.map { .init(code: $0.status) } ?? .ok
        return .view(PageView(title: "Workspace settings", template: "workspace", section: "/workspace", values: values, status: status))
    }
}
