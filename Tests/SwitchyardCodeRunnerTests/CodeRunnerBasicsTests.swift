import Foundation
import Logging
import Prometheus
import SwitchyardCore
import Testing

@testable import SwitchyardCodeRunner

@Suite(.enabled(if: SandboxEnvironment.available, "needs node and bubblewrap"))
struct CodeRunnerBasicsTests {
    @Test func commonJSDefaultFunctionGetsItsInput() async throws {
        let result = try await SharedRunner.run("module.exports = async ({ input }) => ({ doubled: input.n * 2 })", input: ["n": 21])
        #expect(result.error == nil, "\(String(describing: result.error))")
        #expect(result.value == ["doubled": 42])
    }

    @Test func esmDefaultExportWorks() async throws {
        let result = try await SharedRunner.run(
            "export default async function ({ input }) { return input.name.toUpperCase() }", input: ["name": "ada"])
        #expect(result.value == "ADA")
    }

    @Test func namedExportCanBeCalled() async throws {
        let job = CodeJob(
            workspaceID: "w", tenantID: UUID().uuidString, code: "exports.test = () => 'named'; exports.other = () => 'no'", exportName: "test")
        let result = try await SharedRunner.runner().run(job, bridge: NoAPIBridge())
        #expect(result.value == "named")
    }

    @Test func consoleOutputIsCaptured() async throws {
        let result = try await SharedRunner.run("module.exports = () => { console.log('hello', {a: 1}); console.error('bad'); return 1 }")
        #expect(result.logs == [CodeLogLine(level: "info", message: "hello {\"a\":1}"), CodeLogLine(level: "error", message: "bad")])
    }

    @Test func syntaxErrorReportsLineAndColumn() async throws {
        let result = try await SharedRunner.run("module.exports = () => {\n  const x = 1;\n  return x +* 2;\n}")
        let error = try #require(result.error)
        #expect(error.type == .syntaxError)
        #expect(error.line == 3)
        #expect(error.column == 13)
        #expect(error.message.contains("line 3"))
    }

    @Test func esmSyntaxErrorReportsLine() async throws {
        let result = try await SharedRunner.run("export default function () {\n  return ;;; }}\n}")
        let error = try #require(result.error)
        #expect(error.type == .syntaxError)
        #expect(error.line == 2)
    }

    @Test func thrownErrorIsARuntimeErrorWithItsStack() async throws {
        let result = try await SharedRunner.run("function inner() { throw new Error('boom') }\nmodule.exports = () => inner()")
        let error = try #require(result.error)
        #expect(error.type == .runtimeError)
        #expect(error.message == "boom")
        #expect(error.stack?.contains("inner") == true)
        #expect(error.stack?.contains("runner.js") == false, "runtime frames are removed")
    }

    @Test(arguments: [
        ("module.exports = () => ({ f: () => 1 })", "result.f is a function"),
        ("module.exports = () => { const a = {}; a.self = a; return a }", "result.self refers back to itself"),
        ("module.exports = () => ({ n: 10n })", "result.n is a BigInt"),
        ("module.exports = () => [1, NaN]", "result[1] is NaN"),
    ])
    func nonJSONResultIsAClearError(code: String, expected: String) async throws {
        let result = try await SharedRunner.run(code)
        let error = try #require(result.error)
        #expect(error.type == .runtimeError)
        #expect(error.message.contains(expected), "\(error.message)")
    }

    @Test func codeThatExportsNoFunctionIsAClearError() async throws {
        let result = try await SharedRunner.run("module.exports = 42")
        #expect(result.error?.message.contains("must export a function") == true)
    }

    @Test func importsAreRefused() async throws {
        let result = try await SharedRunner.run("import fs from 'fs'\nexport default () => fs.readFileSync('/etc/passwd', 'utf8')")
        #expect(result.error?.type == .sandboxViolation)
        #expect(result.error?.message.contains("import of 'fs' is not allowed") == true)
    }

    @Test func inputOverTheLimitIsRefusedBeforeAProcessStarts() async throws {
        // A runner with one job space, held by a job until the test releases it: an oversized
        // job must be refused at once, without waiting for the space a process would need.
        var settings = SharedRunner.settings
        settings.jobSpaces = 1
        settings.warmPoolSize = 0
        let runner = try await CodeRunner.start(settings: settings, registry: .init(), logger: .init(label: "test"))
        let tenant = UUID().uuidString
        let bridge = HoldingBridge()
        defer { bridge.release() }
        let holding = Task {
            await runner.run(CodeJob(workspaceID: "w", tenantID: tenant, code: HoldingBridge.heldCode, timeoutMilliseconds: 20_000), bridge: bridge)
        }
        try await bridge.waitForArrivals(1)
        #expect(await runner.pool.remainingJobSpaces == 0)
        let big = JSONValue.string(String(repeating: "x", count: 2 * 1024 * 1024))
        let result = await runner.run(
            CodeJob(workspaceID: "w", tenantID: tenant, code: "module.exports = ({input}) => input.length", input: big), bridge: NoAPIBridge())
        #expect(result.error?.type == .inputTooLarge)
        // The space is still held: the refusal did not wait for it (the holding job ends only
        // when released, or after its 20 s limit).
        #expect(await runner.pool.remainingJobSpaces == 0, "refused while the only job space was still taken")
        bridge.release()
        let held = await holding.value
        #expect(held.error == nil && held.value == "ok", "\(String(describing: held.error))")
    }

    @Test func apiCallsGoThroughTheBridge() async throws {
        struct EchoBridge: SandboxAPIBridge {
            func perform(_ request: SandboxAPIRequest) async throws -> JSONValue {
                ["client": .string(request.client), "method": .string(request.method), "path": .string(request.path), "data": request.data ?? .null]
            }
        }
        let code = """
            module.exports = async ({ externalApiClient, internalApiClient }) => {
              const a = await externalApiClient.get('/contacts', { limit: 2 })
              const b = await internalApiClient.post('/sync', { id: 7 })
              return [a, b]
            }
            """
        let result = try await SharedRunner.run(code, bridge: EchoBridge())
        #expect(
            result.value == [
                ["client": "external", "method": "GET", "path": "/contacts", "data": ["limit": 2]],
                ["client": "internal", "method": "POST", "path": "/sync", "data": ["id": 7]],
            ])
    }

    @Test func bridgeFailureRejectsTheJobsPromise() async throws {
        struct FailingBridge: SandboxAPIBridge {
            func perform(_ request: SandboxAPIRequest) async throws -> JSONValue {
                throw CodeRunError(.runtimeError, "upstream said 503")
            }
        }
        let code =
            """
            module.exports = async ({ externalApiClient }) => { try { await externalApiClient.get('/x') } catch (e) { return 'caught: ' + e.message \
            } }
            """
        let result = try await SharedRunner.run(code, bridge: FailingBridge())
        #expect(result.value == "caught: runtime_error: upstream said 503")
    }
}
