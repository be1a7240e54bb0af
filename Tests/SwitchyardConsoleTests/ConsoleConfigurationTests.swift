import SwitchyardServer
import Testing

/// `CONSOLE_BASE_PATH` and the seed's `BASE_PATH`.
@Suite struct ConsoleConfigurationTests {
    func load(_ environment: [String: String]) throws(ConfigurationError) -> SwitchyardConfiguration {
        try SwitchyardConfiguration.load(environment: environment)
    }

    @Test func basePathDefaultsToConsoleAndDropsATrailingSlash() throws {
        #expect(try load([:]).console.basePath == "/console")
        #expect(try load(["CONSOLE_BASE_PATH": "/admin/console/"]).console.basePath == "/admin/console")
    }

    @Test func seedBasePathCountsOnlyWhenTheConsoleRunsAlone() throws {
        #expect(try load(["IS_CONSOLE": "1", "BASE_PATH": "/ops"]).console.basePath == "/ops")
        #expect(try load(["BASE_PATH": "/ops"]).console.basePath == "/console", "all-in-one: BASE_PATH is ambiguous, ignored")
        #expect(try load(["IS_CONSOLE": "1", "BASE_PATH": "/ops", "CONSOLE_BASE_PATH": "/c"]).console.basePath == "/c")
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
