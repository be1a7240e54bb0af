import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardHTTP

/// `<base>/users` (platform admins only): the console's users, adding one with a first
/// password (or, with OpenID Connect sign-in, without one: an invitation), changing a role,
/// setting a new password, and removing a user. Nobody changes or
/// removes their own account here, so a platform admin cannot lock the last admin out.
enum UserPages {
    /// Registers the pages.
    static func register(_ pages: PageRoutes) {
        pages.get("/users") { page in try await list(page) }
        pages.post("/users") { page in try await add(page) }
        pages.post("/users/:id/role") { page in try await changeRole(page) }
        pages.post("/users/:id/password") { page in try await setPassword(page) }
        pages.post("/users/:id/remove") { page in try await remove(page) }
    }

    /// The users and the form to add one.
    static func list(_ page: PageRequest) async throws -> PageResult {
        try requireAdmin(page)
        return try await view(page, input: [:])
    }

    /// Adds a user.
    static func add(_ page: PageRequest) async throws -> PageResult {
        try requireAdmin(page)
        let form = try await page.form()
        let input = ["email": form["email"], "name": form["name"], "role": form["role"]]
        do throws(SwitchyardError) {
            if form["password"].isEmpty, page.console.oidcProvider != nil {
                _ = try await page.console.accounts.addWithoutPassword(email: form["email"], name: form["name"], role: form["role"])
            } else {
                _ = try await page.console.accounts.add(email: form["email"], name: form["name"], role: form["role"], password: form["password"])
            }
        } catch {
            let field = ["email", "name", "role", "password"].first { error.message.hasPrefix($0) } ?? "email"
            let problem = APIProblem(
                status: error.key == .alreadyExists ? 409 : 400, key: error.key.rawValue, message: error.message, fields: [field: error.message])
            return try await view(page, input: input, problem: problem)
        }
        return .redirect("/users", notice: "User \(form["email"].trimmingWhitespace().lowercased()) added.")
    }

    /// Changes a user's role (through the API's platform users).
    static func changeRole(_ page: PageRequest) async throws -> PageResult {
        try requireAdmin(page)
        let id = page.parameter("id")
        try refuseSelf(page, id, "change your own role")
        let role = try await page.form()["role"]
        _ = try await page.change(.patch, EngineRequest.path("platform-users", id), ["role": .string(role)])
        return .redirect("/users", notice: "Role changed to \(ConsoleRole(role).label).")
    }

    /// Sets a new password for a user.
    static func setPassword(_ page: PageRequest) async throws -> PageResult {
        try requireAdmin(page)
        let id = page.parameter("id")
        let user = try await page.get(EngineRequest.path("platform-users", id))
        let email = user["email"]?.stringValue ?? user["key"]?.stringValue ?? ""
        let password = try await page.form()["password"]
        do throws(SwitchyardError) {
            try await page.console.accounts.resetPassword(email: email, password: password)
        } catch {
            throw PageFailure.problem(APIProblem(status: error.key == .notFound ? 404 : 400, key: error.key.rawValue, message: error.message))
        }
        return .redirect("/users", notice: "New password set for \(email).")
    }

    /// Removes a user; their sessions end at once.
    static func remove(_ page: PageRequest) async throws -> PageResult {
        try requireAdmin(page)
        let id = page.parameter("id")
        try refuseSelf(page, id, "remove your own account")
        _ = try await page.change(.delete, EngineRequest.path("platform-users", id))
        return .redirect("/users", notice: "User removed.")
    }

    /// Refuses everyone but platform admins.
    static func requireAdmin(_ page: PageRequest) throws(PageFailure) {
        guard page.role == .admin else {
            throw .problem(APIProblem(status: 403, key: "access_denied", message: "only platform admins manage console users"))
        }
    }

    private static func refuseSelf(_ page: PageRequest, _ id: String, _ what: String) throws(PageFailure) {
        if id == page.user.userID {
            throw .problem(APIProblem(status: 403, key: "access_denied", message: "you cannot \(what); ask another platform admin"))
        }
    }

    private static func view(_ page: PageRequest, input: [String: String], problem: APIProblem? = nil) async throws -> PageResult {
        let answer = try await page.get("/platform-users", ["limit": "1000"])
        let roles = ConsoleRole.allCases
        let users = ListPage.items(answer) { item, values in
            let role = ConsoleRole(item["role"]?.stringValue ?? "")
            values["roleLabel"] = role.label
            values["email"] = item["email"]?.stringValue ?? item["key"]?.stringValue ?? ""
            values["isSelf"] = item["id"]?.stringValue == page.user.userID
            values["roles"] = roles.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == role] }
        }
        let chosen = ConsoleRole(input["role"] ?? "member")
        var values: [String: Any] = [
            "users": users, "input": input, "errors": problem?.fieldValues ?? [:],
            "roles": roles.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == chosen] },
            "minimum": ConsoleAccounts.minimumPasswordLength, "invitations": page.console.oidcProvider != nil,
        ]
        // A nil boxed in Any is no nil to the template: it would show "nil".
        if let problem { values["problem"] = problem.sentence }
        return .view(
            PageView(
                title: "Console users", template: "users", section: "/users", values: values, status: problem.map { .init(code: $0.status) } ?? .ok))
    }
}
