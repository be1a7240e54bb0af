import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardHTTP
import SwitchyardCore

/// `<base>/connectors`: the workspace's connectors (searchable, paged) with a form to create
/// one, and a connector's page with its development version, its published versions, the
/// package upload (``ConnectorUploadPage``), publishing and downloads.
enum ConnectorPages {
    /// The auth types `POST /connectors` accepts (a package upload sets the real one).
    static let authTypes = ["oauth2", "oauth1", "api-key", "basic", "none"]

    /// Registers the pages.
    static func register(_ pages: PageRoutes) {
        pages.get("/connectors") { page in try await list(page) }
        pages.post("/connectors") { page in try await create(page) }
        pages.get("/connectors/:id") { page in try await detail(page) }
        pages.get("/connectors/:id/download") { page in try await download(page) }
        pages.post("/connectors/:id/publish") { page in try await publish(page) }
        pages.post("/connectors/:id/upload") { page in try await ConnectorUploadPage.upload(page) }
    }

    /// The list, and the create form (with the input and errors of a refused creation).
    static func list(_ page: PageRequest, form: FormState = FormState()) async throws -> PageResult {
        let paging = ListPage(page)
        let answer = try await page.get("/connectors", paging.query())
        let settings = page.console.settings
        let items = ListPage.items(answer) { item, values in
            values["href"] = settings.url(EngineRequest.path("connectors", item["id"]?.stringValue ?? ""))
            if let uploaded = item["development"]?["uploadedAt"]?.stringValue { values["uploaded"] = ViewValue.time(uploaded) }
        }
        var values = form.templateValues
        values["items"] = items
        values["empty"] = items.isEmpty
        if !paging.search.isEmpty { values["q"] = paging.search }
        values["next"] = ListPage.next(answer, path: "/connectors", page: page)
        values["authTypes"] = authTypes.map { type -> [String: Any] in ["value": type, "selected": form.values["authType"] == type] }
        return .view(PageView(title: "Connectors", template: "connectors", section: "/connectors", values: values, status: .init(code: form.status)))
    }

    /// Creates a connector, then shows it; a refusal shows the list's form again.
    static func create(_ page: PageRequest) async throws -> PageResult {
        let form = try await page.form()
        let input = ["key": form["key"], "name": form["name"], "authType": form["authType"], "baseUri": form["baseUri"]]
        var body: [String: JSONValue] = [:]
        for (name, value) in input where !value.trimmingCharacters(in: .whitespaces).isEmpty {
            body[name] = .string(value.trimmingCharacters(in: .whitespaces))
        }
        switch try await page.submit(.post, "/connectors", .object(body)) {
        case .success(let created):
            let id = created["id"]?.stringValue ?? form["key"]
            return .redirect(EngineRequest.path("connectors", id), notice: "Connector \(form["key"]) created. Upload its package below.")
        case .failure(let problem):
            return try await list(page, form: FormState(values: input, problem: problem))
        }
    }

    /// One connector: facts, development version, versions, and the upload and publish forms.
    /// - Parameters:
    ///   - upload: The refused upload to report (its problems per file and line).
    ///   - publish: The publish form's input and problem.
    static func detail(_ page: PageRequest, upload: APIProblem? = nil, publish: FormState = FormState()) async throws -> PageResult {
        let id = page.parameter("id")
        let connector = try await page.get(EngineRequest.path("connectors", id))
        let recordID = connector["id"]?.stringValue ?? id
        let paging = ListPage(page)
        let versions = try await page.get(EngineRequest.path("connectors", recordID, "versions"), paging.query())
        let settings = page.console.settings
        let downloadPath = settings.url(EngineRequest.path("connectors", recordID, "download"))
        var values = ViewValue.of(connector) as? [String: Any] ?? [:]
        values["created"] = ViewValue.time(connector["createdAt"]?.stringValue)
        if let development = connector["development"], development != .null {
            var facts = ViewValue.of(development) as? [String: Any] ?? [:]
            facts["uploaded"] = ViewValue.time(development["uploadedAt"]?.stringValue)
            facts["digest"] = String((development["sha256"]?.stringValue ?? "").prefix(12))
            facts["download"] = downloadPath
            for (name, list) in [("operationList", "operations"), ("collectionList", "dataCollections")] {
                let names = (development[list]?.arrayValue ?? []).compactMap(\.stringValue)
                facts[name] = names.isEmpty ? "None" : names.joined(separator: ", ")
            }
            values["development"] = facts
        }
        let versionRows = ListPage.items(versions) { item, row in
            let version = item["version"]?.stringValue ?? ""
            row["created"] = ViewValue.time(item["createdAt"]?.stringValue)
            row["digest"] = String((item["sha256"]?.stringValue ?? "").prefix(12))
            row["download"] = downloadPath + "?" + FormURLEncoding.encode([("version", version)])
        }
        values["versions"] = versionRows
        values["hasVersions"] = !versionRows.isEmpty
        values["nextVersions"] = ListPage.next(versions, path: EngineRequest.path("connectors", recordID), page: page, keep: [])
        values["uploadAction"] = settings.url(EngineRequest.path("connectors", recordID, "upload")) + "?"
            + FormURLEncoding.encode([("csrf", page.user.csrfToken)])
        values["integrationHref"] = settings.url("/integrations") + "?" + FormURLEncoding.encode([("connector", recordID)])
        values["publish"] = publish.templateValues
        var status = publish.status
        if let upload {
            status = max(400, min(upload.status, 599))
            var report: [String: Any] = ["problem": upload.sentence]
            let rows = PackageProblems.rows(upload)
            report["rows"] = PackageProblems.values(rows)
            report["hasRows"] = !rows.isEmpty
            if let file = upload.fields["file"] { report["fileError"] = file }
            values["upload"] = report
        }
        let title = "Connector " + (connector["name"]?.stringValue ?? id)
        return .view(PageView(title: title, template: "connector", section: "/connectors", values: values, status: .init(code: status), script: true))
    }

    /// Publishes the development version as a semver version.
    static func publish(_ page: PageRequest) async throws -> PageResult {
        let id = page.parameter("id")
        let form = try await page.form()
        let input = ["version": form["version"].trimmingCharacters(in: .whitespaces), "changelog": form["changelog"]]
        var body: [String: JSONValue] = ["version": .string(input["version"] ?? "")]
        if !form["changelog"].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { body["changelog"] = .string(form["changelog"]) }
        switch try await page.submit(.post, EngineRequest.path("connectors", id, "publish-version"), .object(body)) {
        case .success:
            return .redirect(EngineRequest.path("connectors", id), notice: "Version \(input["version"] ?? "") published.")
        case .failure(let problem):
            return try await detail(page, publish: FormState(values: input, problem: problem))
        }
    }

    /// A version's package (`?version=`), or the development version's.
    static func download(_ page: PageRequest) async throws -> PageResult {
        let version = page.query("version")
        let path = EngineRequest.path("connectors", page.parameter("id"), "download")
        return .download(try await page.send(EngineRequest(.get, path, query: version.isEmpty ? [:] : ["version": version])))
    }
}
