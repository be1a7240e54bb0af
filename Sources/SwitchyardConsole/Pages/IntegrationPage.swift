import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardHTTP
import SwitchyardCore

/// `<base>/integrations/<id>`: one integration, linking its connector and its connections, with
/// its parameters as a form built from the connector's `parametersSchema` (``ParameterForm``;
/// secrets masked and write-only), and archiving (confirmed by the script's dialog, or by a
/// confirmation page without script).
enum IntegrationPage {
    /// A refused parameters submission to show again.
    struct Refusal {
        /// The submitted form.
        var form: ConsoleForm
        /// Field name → message.
        var errors: [String: String]
        /// The message for the top of the form.
        var problem: APIProblem
    }

    /// How many connections the page lists.
    static let connectionLimit = 50

    /// What the page is made of: the integration (with its parameter values), its connector,
    /// and the form of the connector's `parametersSchema`.
    struct Loaded {
        var integration: JSONValue
        var connector: JSONValue?
        var form: ParameterForm
        var stored: [String: JSONValue]
    }

    /// Reads the integration, its connector and the parameters schema of the version it uses.
    static func load(_ page: PageRequest) async throws(PageFailure) -> Loaded {
        let selector = EngineRequest.path("integrations", page.parameter("id"))
        let integration = try await page.get(selector, ["includeSecrets": "true"])
        var connector: JSONValue?
        var schema: JSONValue?
        if let connectorID = integration["connectorId"]?.stringValue {
            let found = try await page.get(EngineRequest.path("connectors", connectorID))
            connector = found
            schema = found["development"]?["parametersSchema"]
            if let pinned = integration["connectorVersion"]?.stringValue, pinned != "development" {
                let versions = try await page.get(EngineRequest.path("connectors", connectorID, "versions"), ["limit": "1000"])
                let version = versions["items"]?.arrayValue?.first { $0["version"]?.stringValue == pinned }
                schema = version?["parametersSchema"] ?? schema
            }
        }
        var stored: [String: JSONValue] = [:]
        if case .object(let parameters)? = integration["parameters"] { stored = parameters }
        return Loaded(integration: integration, connector: connector, form: ParameterForm(schema: schema), stored: stored)
    }

    /// The page, with a refused parameters submission when there is one.
    static func detail(_ page: PageRequest, refusal: Refusal? = nil) async throws -> PageResult {
        let loaded = try await load(page)
        let integration = loaded.integration
        let id = integration["id"]?.stringValue ?? page.parameter("id")
        let settings = page.console.settings
        var values: [String: Any] = [
            "id": id, "key": integration["key"]?.stringValue ?? id, "name": integration["name"]?.stringValue ?? id,
            "created": ViewValue.time(integration["createdAt"]?.stringValue),
            "parametersAction": settings.url(EngineRequest.path("integrations", id, "parameters")),
            "archiveAction": settings.url(EngineRequest.path("integrations", id, "archive")),
        ]
        if let version = integration["connectorVersion"]?.stringValue { values["connectorVersion"] = version }
        if let connector = loaded.connector, let connectorID = connector["id"]?.stringValue {
            values["connector"] = [
                "href": settings.url(EngineRequest.path("connectors", connectorID)),
                "name": connector["name"]?.stringValue ?? connectorID, "key": connector["key"]?.stringValue ?? connectorID,
            ]
        }
        let connections = try await page.get("/connections", ["integrationId": id, "limit": String(connectionLimit)])
        let rows = ListPage.items(connections) { item, row in
            row["href"] = settings.url(EngineRequest.path("connections", item["id"]?.stringValue ?? ""))
            if let tenant = item["tenantId"]?.stringValue { row["customerHref"] = settings.url(EngineRequest.path("customers", tenant)) }
            row["stateText"] = stateText(item)
            row["label"] = item["name"]?.stringValue ?? item["id"]?.stringValue ?? ""
        }
        values["connections"] = rows
        values["hasConnections"] = !rows.isEmpty
        values["moreConnections"] = connections["cursor"]?.stringValue.map { !$0.isEmpty } ?? false
        let fields = loaded.form.values(stored: loaded.stored, submitted: refusal?.form, errors: refusal?.errors ?? [:])
        values["fields"] = fields
        values["hasFields"] = !fields.isEmpty
        let unlisted = loaded.stored.keys.filter { name in !loaded.form.fields.contains { $0.name == name } }.sorted()
        if !unlisted.isEmpty { values["unlisted"] = unlisted.joined(separator: ", ") }
        if let refusal {
            values["problem"] = refusal.problem.sentence
            if let whole = refusal.errors[""] { values["formError"] = whole }
        }
        let status = refusal.map { max(400, min($0.problem.status, 599)) } ?? 200
        let title = "Integration " + (integration["name"]?.stringValue ?? id)
        return .view(
            PageView(title: title, template: "integration", section: "/integrations", values: values, status: .init(code: status), script: true))
    }

    /// A connection's state in plain words.
    static func stateText(_ connection: JSONValue) -> String {
        switch connection["state"]?.stringValue {
        case "connected"?: return "Connected"
        case "error"?: return "In error: connecting again may not fix it"
        case "disconnected"?: return "Disconnected: needs to be connected again"
        default: return connection["disconnected"] == .bool(true) ? "Disconnected: needs to be connected again" : "Connected"
        }
    }

    /// Saves the parameters form; a refusal (the console's check against the schema, or the
    /// API's) shows the form again with the input kept (but secrets) and each error by its field.
    static func saveParameters(_ page: PageRequest) async throws -> PageResult {
        let form = try await page.form()
        let loaded = try await load(page)
        let (parameters, errors) = loaded.form.submit(form, stored: loaded.stored)
        guard errors.isEmpty else {
            let count = errors.count
            let problem = APIProblem(message: "\(count) parameter\(count == 1 ? " is" : "s are") not valid; see the messages by the fields")
            return try await detail(page, refusal: Refusal(form: form, errors: errors, problem: problem))
        }
        let id = loaded.integration["id"]?.stringValue ?? page.parameter("id")
        let answer = try await page.submit(.patch, EngineRequest.path("integrations", id), ["parameters": .object(parameters)])
        if case .failure(let problem) = answer {
            var errors: [String: String] = [:]
            for (name, message) in problem.fields {
                let field = name.hasPrefix("parameters.") ? String(name.dropFirst("parameters.".count)) : name
                errors[loaded.form.fields.contains { $0.name == field } ? field : ""] = message
            }
            return try await detail(page, refusal: Refusal(form: form, errors: errors, problem: problem))
        }
        return .redirect(EngineRequest.path("integrations", id), notice: "Parameters saved.")
    }

    /// Archives the integration once confirmed (`confirm=yes`); otherwise asks first.
    static func archive(_ page: PageRequest) async throws -> PageResult {
        let form = try await page.form()
        let selector = EngineRequest.path("integrations", page.parameter("id"))
        guard form["confirm"] == "yes" else {
            let integration = try await page.get(selector)
            let id = integration["id"]?.stringValue ?? page.parameter("id")
            let values: [String: Any] = [
                "name": integration["name"]?.stringValue ?? id, "key": integration["key"]?.stringValue ?? id,
                "href": page.console.settings.url(EngineRequest.path("integrations", id)),
                "archiveAction": page.console.settings.url(EngineRequest.path("integrations", id, "archive")),
            ]
            let title = "Archive integration " + (integration["name"]?.stringValue ?? id) + "?"
            return .view(PageView(title: title, template: "integration-archive", section: "/integrations", values: values))
        }
        let archived = try await page.change(.delete, selector)
        let name = archived["name"]?.stringValue ?? page.parameter("id")
        return .redirect("/integrations", notice: "Integration \(name) archived.")
    }
}
