import SwitchyardServer
import Testing

/// `UI_BASE_PATH` and the seed's `BASE_PATH`; the engine a ui alone forwards to, under its three
/// names; and the UI's public URL that connection request links open.
@Suite struct UIConfigurationTests {
    func load(_ environment: [String: String]) throws(ConfigurationError) -> SwitchyardConfiguration {
        try SwitchyardConfiguration.load(environment: environment)
    }

    @Test func basePathDefaultsToUIAndTheSeedsCountsOnlyWhenTheUIRunsAlone() throws {
        let engine = ["ENGINE_API_URI": "http://api:9000"]
        #expect(try load([:]).ui.basePath == "/ui")
        #expect(try load(["UI_BASE_PATH": "/app/integrations/"]).ui.basePath == "/app/integrations")
        #expect(try load(engine.merging(["IS_UI": "1", "BASE_PATH": "/ui-app"]) { $1 }).ui.basePath == "/ui-app")
        #expect(try load(["BASE_PATH": "/ui-app"]).ui.basePath == "/ui", "all-in-one: BASE_PATH is ambiguous, ignored")
    }

    @Test func aUIWithoutTheAPIRoleNeedsTheEngineURLUnderAnyOfItsNames() throws {
        do {
            _ = try load(["IS_UI": "1"])
            Issue.record("a ui alone without ENGINE_API_URI was accepted")
        } catch {
            #expect(error.problems.contains { $0.variable == "ENGINE_API_URI" && $0.reason.contains("ui role runs without") })
        }
        for name in ["ENGINE_API_URI", "NEXT_PUBLIC_ENGINE_API_URI", "NEXT_PUBLIC_ENGINE_URI"] {
            #expect(try load(["IS_UI": "1", name: "https://api.example.com"]).ui.engineAPIURI == "https://api.example.com", "\(name)")
        }
        #expect(try load(["ENGINE_API_URI": "https://api.example.com"]).ui.engineAPIURI == nil, "all-in-one calls the API on its own origin")
    }

    @Test func requestLinksOpenTheUIWhereItIsKnown() throws {
        #expect(try load(["BASE_URI": "https://sy.example.com"]).uiPublicURI == "https://sy.example.com/ui")
        #expect(try load(["IS_API": "1"]).uiPublicURI == nil, "an api alone does not know where a ui runs")
        #expect(try load(["IS_API": "1", "NEXT_PUBLIC_ENGINE_UI_URI": "https://ui.example.com"]).uiPublicURI == "https://ui.example.com")
    }

    @Test(arguments: ["ui", "/", "/a b", "/a//b"])
    func invalidBasePathIsRefusedByName(value: String) {
        do {
            _ = try load(["UI_BASE_PATH": value])
            Issue.record("UI_BASE_PATH=\(value) was accepted")
        } catch {
            #expect(error.problems.contains { $0.variable == "UI_BASE_PATH" && $0.reason.contains("must be a path such as /ui") })
        }
    }
}
