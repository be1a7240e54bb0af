import Foundation
import HTTPTypes
import SwitchyardConnectors
import SwitchyardCore
import Testing

/// The connector pages through the in-process API: create, upload a package through the
/// multipart form, see its development version, publish, download; a broken package shows
/// each problem by file and line; a broken zip shows its error.
@Suite struct ConnectorPagesTests {
    @Test func createUploadPublishAndDownloadAConnector() async throws {
        let harness = try await ConsoleHarness()
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let refused = try await browser.post("/console/connectors", [("csrf", csrf), ("key", CatalogFixtures.key), ("name", "")])
            #expect(refused.status == .badRequest, "\(refused.body)")
            #expect(PageText.text(refused.body, id: "connector-name-error")?.isEmpty == false, "the error is next to the name field")
            #expect(refused.body.contains("aria-describedby=\"connector-name-error\""))
            #expect(PageText.inputValue(refused.body, id: "connector-key") == CatalogFixtures.key, "the input is kept")
            #expect(try await harness.call(.get, "/connectors")["items"]?.arrayValue?.isEmpty == true, "nothing was created")

            let created = try await browser.post("/console/connectors", [("csrf", csrf), ("key", CatalogFixtures.key), ("name", "Catalog")])
            #expect(created.status == .seeOther)
            let location = try #require(created.location)
            let id = try #require(try await harness.call(.get, "/connectors/\(CatalogFixtures.key)")["id"]?.stringValue)
            #expect(location == "/console/connectors/\(id)")
            let list = try await browser.get("/console/connectors")
            #expect(list.body.contains("href=\"/console/connectors/\(id)\""), "the list links the connector")
            #expect(try await browser.get("/console/connectors?q=atalo").body.contains("href=\"/console/connectors/\(id)\""), "search by name")
            let none = try await browser.get("/console/connectors?q=nothing%20like%20it")
            #expect(none.body.contains("No connectors match “nothing like it”.") && !none.body.contains("href=\"/console/connectors/\(id)\""))

            let empty = try await browser.get(location)
            #expect(empty.status == .ok && empty.body.contains("No package uploaded yet."))
            #expect(empty.body.contains("enctype=\"multipart/form-data\"") && empty.body.contains("action=\"\(location)/upload?csrf=\(csrf)\""))
            #expect(empty.body.contains("data-dropzone") && empty.body.contains("<script src=\"/console/assets/console.js\" defer></script>"))

            let uploaded = try await browser.upload("\(location)/upload?csrf=\(csrf)", file: CatalogFixtures.zip(CatalogFixtures.package()))
            #expect(uploaded.status == .seeOther && uploaded.location == location, "\(uploaded.body)")
            let shown = try await browser.get(location)
            #expect(shown.body.contains("Package uploaded: development version"), "the notice says what happened")
            #expect(shown.body.contains("Connector Catalog &lt;Test&gt;") && !shown.body.contains("Catalog <Test>"), "the package's name, escaped")
            #expect(shown.body.contains("list-things") && shown.body.contains("href=\"\(location)/download\""))

            let badVersion = try await browser.post("\(location)/publish", [("csrf", csrf), ("version", "1.0"), ("changelog", "First <one>")])
            #expect(badVersion.status == .badRequest)
            #expect(PageText.text(badVersion.body, id: "publish-version-error")?.isEmpty == false, "\(badVersion.body)")
            #expect(PageText.inputValue(badVersion.body, id: "publish-version") == "1.0" && badVersion.body.contains(">First &lt;one&gt;</textarea>"))
            let published = try await browser.post("\(location)/publish", [("csrf", csrf), ("version", "1.0.0"), ("changelog", "First <one>")])
            #expect(published.status == .seeOther && published.location == location)
            let versions = try await browser.get(location)
            #expect(versions.body.contains("Version 1.0.0 published.") && versions.body.contains("<td>1.0.0</td>"))
            #expect(versions.body.contains("First &lt;one&gt;") && versions.body.contains("href=\"\(location)/download?version=1.0.0\""))
            let again = try await browser.post("\(location)/publish", [("csrf", csrf), ("version", "1.0.0")])
            #expect(again.status == .conflict && PageText.text(again.body, id: "publish-version-error") == "must be greater than 1.0.0")

            let download = try await browser.raw(.get, "\(location)/download?version=1.0.0")
            #expect(download.status == .ok && download.headers[.contentType] == "application/zip")
            #expect(download.headers[.contentDisposition] == "attachment; filename=\"\(CatalogFixtures.key)-1.0.0.zip\"")
            #expect(try ConnectorPackageReader.read(zip: Data(download.bytes)).spec.name == "Catalog <Test>", "the package reads back")
            let development = try await browser.raw(.get, "\(location)/download")
            #expect(development.status == .ok && development.bytes == download.bytes, "the same package, still the development version")
            let missing = try await browser.raw(.get, "\(location)/download?version=9.9.9")
            #expect(missing.status == .notFound)
        }
    }

    @Test func aBrokenPackageShowsEachProblemByFileAndLine() async throws {
        let harness = try await ConsoleHarness()
        try await harness.call(.post, "/connectors", ["key": .string(CatalogFixtures.key), "name": "Catalog"])
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let path = "/console/connectors/\(CatalogFixtures.key)"
            let answer = try await browser.upload("\(path)/upload?csrf=\(csrf)", file: CatalogFixtures.zip(CatalogFixtures.brokenPackage()))
            #expect(answer.status == .badRequest)
            #expect(answer.body.contains("The connector package is invalid (2 problems)"), "\(answer.body)")
            #expect(answer.body.contains("<th scope=\"col\">File</th><th scope=\"col\">Line</th>"))
            #expect(answer.body.contains("<tr><td><code>spec.yml</code></td><td>3</td><td>colour: unknown field"), "\(answer.body)")
            #expect(answer.body.contains("<tr><td><code>operations/list-things/spec.yml</code></td><td>5</td><td>run.method: must be one of"))
            let other = try await browser.upload("\(path)/upload?csrf=\(csrf)", file: CatalogFixtures.zip(CatalogFixtures.package(key: "other-key")))
            #expect(other.status == .badRequest)
            #expect(other.body.contains("<tr><td><code>spec.yml</code></td><td></td><td>key: the package&#39;s key is other-key"), "\(other.body)")
            let connector = try await harness.call(.get, "/connectors/\(CatalogFixtures.key)")
            #expect(connector["development"] == nil, "nothing was stored")
        }
    }

    @Test func aBrokenZipShowsItsErrorAndAMissingFileIsNamed() async throws {
        let harness = try await ConsoleHarness()
        try await harness.call(.post, "/connectors", ["key": .string(CatalogFixtures.key), "name": "Catalog"])
        try await harness.run { browser in
            let csrf = try await harness.signIn(&browser)
            let path = "/console/connectors/\(CatalogFixtures.key)"
            var zip = CatalogFixtures.zip(CatalogFixtures.package())
            zip.removeLast(30)  // Cut off: the end of central directory is gone.
            let broken = try await browser.upload("\(path)/upload?csrf=\(csrf)", file: zip)
            #expect(broken.status == .badRequest)
            let alert = "class=\"error\" role=\"alert\" id=\"upload-problem\">The connector archive was refused: archive"
            #expect(broken.body.contains(alert), "\(broken.body)")

            let nothing = try await browser.upload("\(path)/upload?csrf=\(csrf)", file: [], filename: "")
            #expect(nothing.status == .badRequest && PageText.text(nothing.body, id: "upload-file-error") == "Choose a .zip file to upload.")
            #expect(nothing.body.contains("aria-describedby=\"upload-file-error\""))

            var headers = HTTPFields()
            headers[.contentType] = "multipart/form-data; boundary=xyz"
            let garbled = try await browser.raw(.post, "\(path)/upload?csrf=\(csrf)", headers: headers, body: Array("--xyz\r\nno end".utf8))
            let text = String(decoding: garbled.bytes, as: UTF8.self)
            #expect(garbled.status == .badRequest && text.contains("The upload could not be read: the multipart/form-data body"), "\(text)")
        }
    }

    @Test func anUploadWithoutTheSessionsTokenIsRefusedAndStoresNothing() async throws {
        let harness = try await ConsoleHarness()
        try await harness.call(.post, "/connectors", ["key": .string(CatalogFixtures.key), "name": "Catalog"])
        try await harness.run { browser in
            try await harness.signIn(&browser)
            let path = "/console/connectors/\(CatalogFixtures.key)/upload"
            for uri in [path, path + "?csrf=forged"] {
                let refused = try await browser.upload(uri, file: CatalogFixtures.zip(CatalogFixtures.package()))
                #expect(refused.status == .forbidden && refused.body.contains("security token (CSRF)"), "\(uri)")
            }
            #expect(try await harness.call(.get, "/connectors/\(CatalogFixtures.key)")["development"] == nil, "nothing was stored")
        }
    }

    @Test func theScriptIsServedAsJavaScript() async throws {
        let harness = try await ConsoleHarness()
        try await harness.run { browser in
            let script = try await browser.get("/console/assets/console.js")
            #expect(script.status == .ok && script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.body.contains("data-confirm") && script.body.contains("data-dropzone"))
        }
    }
}
