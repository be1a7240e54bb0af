import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

import SwitchyardBlobs
import SwitchyardCore
import SwitchyardStore
@testable import SwitchyardServer

@Suite struct OpenAPIDocumentTests {
    /// Every route the process serves is in `/openapi.json`, and every operation there is served.
    /// (The code runner's internal routes are declared the same way; they need a running
    /// sandbox, so they are left out here.)
    @Test(arguments: ["api", "api,instant-worker,queued-worker,orchestrator,ui,console"])
    func documentDescribesExactlyTheRoutesServed(roles: String) async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let configuration = try SwitchyardConfiguration.load(environment: ["DATA_DIR": directory], roleOverride: try RoleSelection.parse(flags: [roles]))
        let secrets = ResolvedSecrets(secret: String(repeating: "s", count: 32), encryptionSecret: String(repeating: "e", count: 32), fromDataDirectory: [])
        let store = try OpenStore.open(configuration, secrets: secrets, logger: Logger(label: "test"))
        _ = try await store.migrator.migrate()
        let monitor = HealthMonitor(checks: [], settings: configuration.health, roles: [roles], logger: Logger(label: "test"))
        let router = SwitchyardAssembly.buildRouter(configuration: configuration, monitor: monitor, registries: MetricsRegistries())
        _ = await APIAssembly.register(on: router, configuration: configuration, store: store, blobs: try FileBlobStore(root: directory + "/blobs"), secrets: secrets)
        let served = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        let document = try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                return try JSONValue.parse(String(buffer: response.body))
            }
        }
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
    }
}
