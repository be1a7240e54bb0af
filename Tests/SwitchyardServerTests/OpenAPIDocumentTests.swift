import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SwitchyardAPI
import SwitchyardBlobs
import SwitchyardCore
import SwitchyardStore
import Testing

@testable import SwitchyardServer

@Suite struct OpenAPIDocumentTests {
    /// Every route the process serves is in `/openapi.json`, and every operation there is served.
    /// (The code runner's internal routes are declared the same way; they need a running
    /// sandbox, so they are left out here.)
    @Test(arguments: ["api", "api,instant-worker,queued-worker,orchestrator,ui,console"])
    func documentDescribesExactlyTheRoutesServed(roles: String) async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let configuration = try SwitchyardConfiguration.load(
            environment: ["DATA_DIR": directory], roleOverride: try RoleSelection.parse(flags: [roles]))
        let secrets = ResolvedSecrets(
            secret: String(repeating: "s", count: 32), encryptionSecret: String(repeating: "e", count: 32), fromDataDirectory: [])
        let store = try OpenStore.open(configuration, secrets: secrets, logger: Logger(label: "test"))
        _ = try await store.migrator.migrate()
        let monitor = HealthMonitor(checks: [], settings: configuration.health, roles: [roles], logger: Logger(label: "test"))
        let router = SwitchyardAssembly.buildRouter(configuration: configuration, monitor: monitor, registries: MetricsRegistries())
        let blobs = try FileBlobStore(root: directory + "/blobs")
        // The full set of roles serves the connect flow and the proxy too.
        let (connections, http) = APIAssembly.connections(
            configuration: configuration, store: store, blobs: blobs, secrets: secrets, code: nil, logger: Logger(label: "test")
        )
        _ = await APIAssembly.register(
            on: router, configuration: configuration, store: store, blobs: blobs, secrets: secrets, connections: roles == "api" ? nil : connections
        )
        // The proxy's catch-all (`**`) is what the document calls `{path}`.
        let served = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description.replacingOccurrences(of: "**", with: "{path}"))" })
        let document = try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                return try JSONValue.parse(String(buffer: response.body))
            }
        }
        await http.shutdown()
        #expect(document["openapi"] == "3.1.0")
        var documented = Set<String>()
        if case .object(let paths)? = document["paths"] {
            for (path, operations) in paths {
                if case .object(let methods) = operations { for method in methods.keys { documented.insert("\(method.uppercased()) \(path)") } }
            }
        }
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        #expect(documented.contains("GET /customers/{id}") && documented.contains("GET /integrations/{selector}"))
        if roles != "api" { #expect(documented.contains("GET /connections/{id}/proxy/{path}") && documented.contains("POST /connect")) }
        // Every `{name}` in a path is declared as a required path parameter (openapi-spec-validator
        // in scripts/test checks the whole document; this names the operation at fault).
        if case .object(let paths)? = document["paths"] {
            for (path, operations) in paths {
                let names = Set(path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
                guard case .object(let methods) = operations else { continue }
                for (method, operation) in methods {
                    let declared = Set(
                        (operation["parameters"]?.arrayValue ?? []).filter { $0["in"] == "path" && $0["required"] == true }
                            .compactMap { $0["name"]?.stringValue })
                    #expect(declared == names, "\(method.uppercased()) \(path) declares \(declared.sorted()), needs \(names.sorted())")
                }
            }
        }
    }
}

@Suite struct OperationalEndpointTests {
    @Test("Every operational endpoint of every role declares its path parameters (the code runner's job responses among them)")
    func operationalPathParametersAreDeclared() throws {
        let roles = try RoleSelection.parse(flags: ["all"])
        let document = OpenAPIDocument.build(routes: [], operational: APIAssembly.operationalEndpoints(roles), version: "test")
        let operation = document["paths"]?["/api/v2/jobs/{jobID}/responses"]?["post"]
        let names = (operation?["parameters"]?.arrayValue ?? []).filter { $0["in"] == "path" && $0["required"] == true }
            .compactMap { $0["name"]?.stringValue }
        #expect(names == ["jobID"], "\(operation?.jsonText ?? "no such operation")")
    }
}
