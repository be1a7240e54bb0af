import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardHTTP
import SwitchyardCore

/// `POST <base>/connectors/<id>/upload`: the connector page's upload form (a plain
/// `multipart/form-data` form, its CSRF token in the action's query), or a script's
/// `application/zip` body with the `X-CSRF-Token` header. The zip goes to the API as
/// `application/zip`; a refusal shows the connector page again with the API's problems per
/// file and line, and the 4xx status.
enum ConnectorUploadPage {
    /// The largest upload read: the API's 10 MiB archive limit and the form's framing.
    static let maxBytes = 11 << 20

    /// Sends the uploaded package to the API.
    static func upload(_ page: PageRequest) async throws -> PageResult {
        let id = page.parameter("id")
        let zip: [UInt8]
        do throws(APIProblem) {
            zip = try await file(page)
        } catch {
            return try await ConnectorPages.detail(page, upload: error)
        }
        let path = EngineRequest.path("connectors", id, "upload")
        switch try await page.submit(EngineRequest(.post, path, body: .raw(zip, contentType: "application/zip"))) {
        case .failure(let problem):
            return try await ConnectorPages.detail(page, upload: problem)
        case .success(let connector):
            let operations = connector["development"]?["operations"]?.arrayValue?.count ?? 0
            let digest = (connector["development"]?["sha256"]?.stringValue ?? "").prefix(12)
            let notice = "Package uploaded: development version \(digest), \(operations) operation\(operations == 1 ? "" : "s")."
            return .redirect(EngineRequest.path("connectors", connector["id"]?.stringValue ?? id), notice: notice)
        }
    }

    /// The zip of the request: the `file` part of a multipart form, or a raw zip body.
    /// - Throws: ``APIProblem`` naming what is wrong (no file chosen, a malformed form, too large).
    static func file(_ page: PageRequest) async throws(APIProblem) -> [UInt8] {
        let contentType = page.request.headers[.contentType] ?? ""
        let lowered = contentType.lowercased()
        let body = try await page.body(upTo: maxBytes)
        if lowered.hasPrefix("application/zip") || lowered.hasPrefix("application/octet-stream") {
            guard !body.isEmpty else { throw missing }
            return body
        }
        guard lowered.hasPrefix("multipart/form-data") else {
            throw APIProblem(message: "the upload form must be sent as multipart/form-data", fields: ["file": "Choose a .zip file, then upload it."])
        }
        let form: MultipartFormData
        do {
            form = try MultipartFormData(body: body, contentType: contentType)
        } catch {
            throw APIProblem(message: "the upload could not be read: \(error.message)", fields: ["file": "Choose the .zip file again."])
        }
        guard let part = form.part(named: "file"), !part.body.isEmpty else { throw missing }
        return part.body
    }

    private static let missing = APIProblem(message: "no file was uploaded", fields: ["file": "Choose a .zip file to upload."])
}
