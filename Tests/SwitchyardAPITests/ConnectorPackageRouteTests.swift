import Foundation
import HTTPTypes
import Testing

import SwitchyardAPI
import SwitchyardConnectors
import SwitchyardCore
import SwitchyardStore

/// Connector packages through the API: upload as the development version, publish immutable
/// versions, list them, download them, and refuse bad archives with the reader's message.
@Suite("Connector packages over the API")
struct ConnectorPackageRouteTests {
    /// The files of an example connector under `examples/connectors/`.
    static func example(_ name: String) throws -> [String: Data] {
        var root = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { root.deleteLastPathComponent() }
        return try ConnectorArchive.files(inFolder: root.appendingPathComponent("examples/connectors/\(name)"))
    }

    static func zip(_ files: [String: Data]) -> [UInt8] { Array(ConnectorArchive.pack(files)) }

    @Test("Upload sets the development version, publish makes immutable versions, download returns each version's package")
    func uploadPublishDownload() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            var files = try Self.example("httpbin-api-key")
            let key = try ConnectorPackageReader.read(files: files).spec.key
            let created = try await client.send(.post, "/connectors", token: admin, body: ["key": .string(key), "name": "placeholder"])
            #expect(created.status == 201, "\(created.json)")
            let id = try #require(created.json["id"]?.stringValue)

            // Nothing to publish or download before an upload.
            #expect(try await client.send(.post, "/connectors/\(id)/publish-version", token: admin, body: ["version": "1.0.0"]).status == 409)
            #expect(try await client.sendBytes(.get, "/connectors/\(id)/download", token: admin, body: nil, contentType: nil).0.status == 404)

            let (uploaded, _) = try await client.sendBytes(.post, "/connectors/\(key)/upload", token: admin, body: Self.zip(files), contentType: "application/zip")
            #expect(uploaded.status == 200, "\(uploaded.json)")
            #expect(uploaded.json["name"] != "placeholder" && uploaded.json["authType"] == "client-credentials", "the spec's name and auth type are taken: \(uploaded.json)")
            let firstDigest = try #require(uploaded.json["development"]?["sha256"]?.stringValue)
            #expect(uploaded.json["development"]?["operations"] == ["get-anything"], "\(uploaded.json)")

            let published = try await client.send(.post, "/connectors/\(id)/publish-version", token: admin, body: ["version": "1.0.0", "changelog": "First."])
            #expect(published.status == 201 && published.json["version"] == "1.0.0" && published.json["sha256"] == .string(firstDigest), "\(published.json)")
            let again = try await client.send(.post, "/connectors/\(id)/publish-version", token: admin, body: ["version": "1.0.0"])
            #expect(again.status == 409, "a version is published once: \(again.json)")
            let older = try await client.send(.post, "/connectors/\(id)/publish-version", token: admin, body: ["version": "0.9.0"])
            #expect(older.status == 409 && older.json["message"]?.stringValue?.contains("greater than the latest published version 1.0.0") == true, "\(older.json)")
            let bad = try await client.send(.post, "/connectors/\(id)/publish-version", token: admin, body: ["version": "1.0"])
            #expect(bad.status == 400 && bad.json["data"]?["version"] != nil, "\(bad.json)")

            // A new upload changes the development version only.
            let original = try #require(files["spec.yml"])
            var changed = String(decoding: original, as: UTF8.self)
            changed = changed.replacingOccurrences(of: "\nname: HTTPBin (API key)\n", with: "\nname: HTTPBin after 1.0.0\n")
            #expect(changed != String(decoding: original, as: UTF8.self), "the example's name line is where the test expects it")
            files["spec.yml"] = Data(changed.utf8)
            let (second, _) = try await client.sendBytes(.post, "/connectors/\(id)/upload", token: admin, body: Self.zip(files), contentType: "application/zip")
            #expect(second.status == 200, "\(second.json)")
            #expect(second.json["development"]?["sha256"] != .string(firstDigest) && second.json["latestVersion"] == "1.0.0")
            let prerelease = try await client.send(.post, "/connectors/\(id)/publish-version", token: admin, body: ["version": "1.1.0-beta.1"])
            #expect(prerelease.status == 201, "\(prerelease.json)")

            let versions = try await client.send(.get, "/connectors/\(id)/versions", token: admin)
            #expect(versions.json["items"]?.arrayCount == 2, "\(versions.json)")

            // Each version downloads its own package, which reads back.
            let (v1, v1Bytes) = try await client.sendBytes(.get, "/connectors/\(id)/download?version=1.0.0", token: admin, body: nil, contentType: nil)
            #expect(v1.status == 200 && v1.headers[.contentType] == "application/zip")
            #expect(try ConnectorPackageReader.read(zip: Data(v1Bytes)).spec.name == "HTTPBin (API key)", "1.0.0 is the first upload, unchanged")
            let (dev, devBytes) = try await client.sendBytes(.get, "/connectors/\(id)/download", token: admin, body: nil, contentType: nil)
            #expect(dev.status == 200 && dev.headers[.contentDisposition]?.contains("\(key)-development.zip") == true)
            #expect(try ConnectorPackageReader.read(zip: Data(devBytes)).spec.name == "HTTPBin after 1.0.0")
            #expect(try await client.sendBytes(.get, "/connectors/\(id)/download?version=9.9.9", token: admin, body: nil, contentType: nil).0.status == 404)
            #expect(try await client.sendBytes(.get, "/connectors/\(id)/download?version=latest!", token: admin, body: nil, contentType: nil).0.status == 400)

            // Integrations pin a published version (or development) and keep their parameters encrypted.
            let integration = try await client.send(
                .post, "/integrations", token: admin,
                body: ["key": "bin", "name": "Bin", "connectorId": .string(key), "connectorVersion": "1.0.0", "parameters": ["clientId": "cid", "clientSecret": "very-secret-value"]]
            )
            #expect(integration.status == 201 && integration.json["connectorVersion"] == "1.0.0" && integration.json["connectorId"] == .string(id), "\(integration.json)")
            #expect(integration.json["parameters"] == ["clientId": "[redacted]", "clientSecret": "[redacted]"], "\(integration.json)")
            let revealed = try await client.send(.get, "/integrations/bin?includeSecrets=true", token: admin)
            #expect(revealed.json["parameters"]?["clientSecret"] == "very-secret-value", "\(revealed.json)")
            let stored = try await harness.store.records.get(.integrations, id: try #require(integration.json["id"]?.stringValue), scope: .workspace(harness.workspace.key))
            #expect(stored.document["parameters"] == nil && !stored.document.jsonText.contains("very-secret-value"), "parameters live in the encrypted secret only")
            let unpublished = try await client.send(.patch, "/integrations/bin", token: admin, body: ["connectorVersion": "7.7.7"])
            #expect(unpublished.status == 404 && unpublished.json["data"]?["connectorVersion"] == "not published", "\(unpublished.json)")
            let toDevelopment = try await client.send(.patch, "/integrations/bin", token: admin, body: ["connectorVersion": "development"])
            #expect(toDevelopment.status == 200 && toDevelopment.json["connectorVersion"] == "development", "\(toDevelopment.json)")

            // Tenants reach none of it.
            let tenant = try await harness.tenantToken("acme")
            #expect(try await client.sendBytes(.post, "/connectors/\(id)/upload", token: tenant, body: Self.zip(files), contentType: "application/zip").0.status == 403)
            #expect(try await client.sendBytes(.get, "/connectors/\(id)/download", token: tenant, body: nil, contentType: nil).0.status == 403)
            let tenantView = try await client.send(.get, "/integrations/bin", token: tenant)
            #expect(tenantView.status == 200 && tenantView.json["parameters"]?["clientSecret"] == "[redacted]", "\(tenantView.json)")
            #expect(try await client.send(.get, "/integrations/bin?includeSecrets=true", token: tenant).status == 403)
        }
    }

    @Test("A multipart/form-data upload takes the file field")
    func multipartUpload() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            let files = try Self.example("echo-javascript")
            let key = try ConnectorPackageReader.read(files: files).spec.key
            _ = try await client.send(.post, "/connectors", token: admin, body: ["key": .string(key), "name": "Echo"])
            let boundary = "----switchyard-test-boundary"
            var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n".utf8)
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"echo.zip\"\r\nContent-Type: application/zip\r\n\r\n".utf8)
            body += Self.zip(files) + Array("\r\n--\(boundary)--\r\n".utf8)
            let (answer, _) = try await client.sendBytes(.post, "/connectors/\(key)/upload", token: admin, body: body, contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(answer.status == 200 && answer.json["development"]?["operations"] == ["echo"], "\(answer.json)")
            let (missing, _) = try await client.sendBytes(
                .post, "/connectors/\(key)/upload", token: admin, body: Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--\(boundary)--\r\n".utf8),
                contentType: "multipart/form-data; boundary=\(boundary)"
            )
            #expect(missing.status == 400 && missing.json["message"]?.stringValue?.contains("no file field") == true, "\(missing.json)")
        }
    }

    @Test("Bad uploads are refused with the reader's message: not a zip, traversal, invalid spec, another connector's key, empty body")
    func badUploadsAreRefused() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            _ = try await client.send(.post, "/connectors", token: admin, body: ["key": "crm", "name": "CRM"])
            func upload(_ body: [UInt8]) async throws -> APIClient.Answer {
                try await client.sendBytes(.post, "/connectors/crm/upload", token: admin, body: body, contentType: "application/zip").0
            }
            let notZip = try await upload(Array("this is not a zip".utf8))
            #expect(notZip.status == 400 && notZip.json["message"]?.stringValue?.contains("connector archive was refused") == true, "\(notZip.json)")
            let traversal = try await upload(Self.zip(["../evil.yml": Data("x: 1".utf8), "spec.yml": Data("key: crm\nname: CRM\n".utf8)]))
            #expect(traversal.status == 400 && traversal.json["data"]?["entry"] == "../evil.yml", "\(traversal.json)")
            let invalid = try await upload(Self.zip(["spec.yml": Data("key: crm\nname: 5\nauth:\n  type: smoke-signals\n".utf8)]))
            #expect(invalid.status == 400, "\(invalid.json)")
            let problems = invalid.json["data"]?["problems"]?.stringValue ?? ""
            #expect(problems.contains("spec.yml:4") && problems.contains("auth.type"), "every problem with its line: \(problems)")
            let other = try await upload(Self.zip(try Self.example("httpbin-api-key")))
            #expect(other.status == 400 && other.json["data"]?["key"] == "must be crm", "\(other.json)")
            let empty = try await upload([])
            #expect(empty.status == 400 && empty.json["message"]?.stringValue?.contains("empty") == true, "\(empty.json)")
            let connector = try await client.send(.get, "/connectors/crm", token: admin)
            #expect(connector.json["development"] == nil, "a refused upload changes nothing: \(connector.json)")
        }
    }
}
