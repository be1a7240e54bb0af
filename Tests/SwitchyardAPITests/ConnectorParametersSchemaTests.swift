import Foundation
import HTTPTypes
import Testing

import SwitchyardAPI
import SwitchyardConnectors
import SwitchyardCore

/// The package's `parametersSchema` is on the connector's development version after an upload,
/// and on each version published from it (the console builds integration forms from it).
@Suite("Connector parameters schema over the API")
struct ConnectorParametersSchemaTests {
    @Test("An upload shows the package's parametersSchema, and publishing keeps it on the version")
    func schemaFollowsTheUploadAndThePublishedVersion() async throws {
        let harness = try await APIHarness.make()
        defer { harness.remove() }
        try await harness.withClient { client in
            let admin = try await harness.adminToken()
            let files = try ConnectorPackageRouteTests.example("tasks-oauth2")
            let package = try ConnectorPackageReader.read(files: files)
            let schema = try #require(package.spec.parametersSchema)
            let key = package.spec.key
            #expect(try await client.send(.post, "/connectors", token: admin, body: ["key": .string(key), "name": "Tasks"]).status == 201)
            let (uploaded, _) = try await client.sendBytes(
                .post, "/connectors/\(key)/upload", token: admin, body: ConnectorPackageRouteTests.zip(files), contentType: "application/zip")
            #expect(uploaded.status == 200 && uploaded.json["development"]?["parametersSchema"] == schema, "\(uploaded.json)")
            #expect(schema["required"] == ["clientId", "clientSecret"], "the example's schema is what the test expects")
            let published = try await client.send(.post, "/connectors/\(key)/publish-version", token: admin, body: ["version": "1.0.0"])
            #expect(published.status == 201 && published.json["parametersSchema"] == schema, "\(published.json)")
            let versions = try await client.send(.get, "/connectors/\(key)/versions", token: admin)
            #expect(versions.json["items"]?.arrayValue?.first?["parametersSchema"] == schema, "\(versions.json)")
        }
    }
}
