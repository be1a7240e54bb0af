import SwitchyardServer
import Testing

/// `CONSOLE_BASE_PATH` and the seed's `BASE_PATH`; `ENGINE_API_URI` and its seed alias.
@Suite struct ConsoleConfigurationTests {
    func load(_ environment: [String: String]) throws(ConfigurationError) -> SwitchyardConfiguration {
        try SwitchyardConfiguration.load(environment: environment)
    }

    @Test func basePathDefaultsToConsoleAndDropsATrailingSlash() throws {
        #expect(try load([:]).console.basePath == "/console")
        #expect(try load(["CONSOLE_BASE_PATH": "/admin/console/"]).console.basePath == "/admin/console")
    }

    @Test func seedBasePathCountsOnlyWhenTheConsoleRunsAlone() throws {
        let engine = ["ENGINE_API_URI": "http://api:9000"]
        #expect(try load(engine.merging(["IS_CONSOLE": "1", "BASE_PATH": "/ops"]) { $1 }).console.basePath == "/ops")
        #expect(try load(["BASE_PATH": "/ops"]).console.basePath == "/console", "all-in-one: BASE_PATH is ambiguous, ignored")
        #expect(try load(engine.merging(["IS_CONSOLE": "1", "BASE_PATH": "/ops", "CONSOLE_BASE_PATH": "/c"]) { $1 }).console.basePath == "/c")
    }

    @Test func aConsoleWithoutTheAPIRoleNeedsTheEngineURLUnderEitherName() throws {
        do {
            _ = try load(["IS_CONSOLE": "1"])
            Issue.record("a console alone without ENGINE_API_URI was accepted")
        } catch {
            #expect(
                error.problems.contains { $0.variable == "ENGINE_API_URI" && $0.reason.contains("is required when the console role runs without") })
        }
        #expect(try load(["IS_CONSOLE": "1", "ENGINE_API_URI": "http://api:9000/"]).console.engineAPIURI?.hasPrefix("http://api:9000") == true)
        #expect(
            try load(["IS_CONSOLE": "1", "NEXT_PUBLIC_ENGINE_API_URI": "https://api.example.com"]).console.engineAPIURI == "https://api.example.com")
        #expect(try load([:]).console.engineAPIURI == nil, "all-in-one calls the API in process")
        #expect(throws: ConfigurationError.self) { try load(["IS_CONSOLE": "1", "ENGINE_API_URI": "api:9000"]) }
    }

    @Test(arguments: ["console", "/", "/a b", "/a//b", "/<x>"])
    func invalidBasePathIsRefusedByName(value: String) {
        do {
            _ = try load(["CONSOLE_BASE_PATH": value])
            Issue.record("CONSOLE_BASE_PATH=\(value) was accepted")
        } catch {
            #expect(error.problems.contains { $0.variable == "CONSOLE_BASE_PATH" && $0.reason.contains("must be a path") })
        }
    }
}
