import Foundation
import Logging
import Prometheus
import Testing

@testable import SwitchyardCodeRunner
import SwitchyardCore

/// Hostile programs run through the real runner. Each asserts the specific containment, then
/// that the runner is healthy and every job space is free again.
@Suite(.serialized, .enabled(if: SandboxEnvironment.available, "needs node and bubblewrap"))
struct EscapeSuiteTests {
    /// A runner of its own with one job space and no warm pool, so a tenant's next job is sure to
    /// run in the same process as its previous one.
    static let runner = Task { () throws -> CodeRunner in
        var settings = SharedRunner.settings
        settings.jobSpaces = 2
        settings.warmPoolSize = 0
        settings.maxLogBytes = 4096
        settings.maxOutputBytes = 64 * 1024
        settings.memoryLimitBytes = 192 * 1024 * 1024
        return try await CodeRunner.start(settings: settings, registry: PrometheusCollectorRegistry(), logger: Logger(label: "escape"))
    }

    private func run(_ code: String, tenant: String = UUID().uuidString, timeout: Int = 2000, input: JSONValue = .null, bridge: some SandboxAPIBridge = NoAPIBridge())
        async throws -> CodeRunResult
    {
        let runner = try await Self.runner.value
        let result = await runner.run(CodeJob(workspaceID: "w", tenantID: tenant, code: code, input: input, timeoutMilliseconds: timeout), bridge: bridge)
        try await expectHealthy(runner)
        return result
    }

    private func expectHealthy(_ runner: CodeRunner) async throws {
        let check = await runner.run(CodeJob(workspaceID: "w", tenantID: "health", code: "module.exports = () => 'alive'"), bridge: NoAPIBridge())
        #expect(check.value == "alive", "runner unhealthy after the attack: \(String(describing: check.error))")
        #expect(await runner.pool.remainingJobSpaces == runner.settings.jobSpaces)
    }

    @Test func requireIsNotDefined() async throws {
        let result = try await run("module.exports = () => require('fs').readFileSync('/etc/passwd', 'utf8')")
        #expect(result.error?.type == .runtimeError)
        #expect(result.error?.message == "require is not defined")
    }

    @Test func hostFunctionConstructorCannotCompileCode() async throws {
        let result = try await run("module.exports = () => console.log.constructor('return process')().env")
        #expect(result.error?.message.contains("Code generation from strings disallowed") == true, "\(String(describing: result.error))")
    }

    @Test func contextFunctionConstructorFindsNoProcess() async throws {
        let result = try await run("module.exports = () => setTimeout.constructor('return typeof process + typeof require + typeof globalThis.process')()")
        #expect(result.value == "undefinedundefinedundefined")
    }

    @Test func evalSeesOnlyTheJobsOwnRealm() async throws {
        let result = try await run("module.exports = () => eval('typeof process') + ':' + eval('typeof require') + ':' + typeof module.require")
        #expect(result.value == "undefined:undefined:undefined")
    }

    @Test func stackTraceAPIDoesNotExposeRuntimeFunctions() async throws {
        let code = """
            module.exports = () => {
              Error.prepareStackTrace = (error, frames) => frames
              const frames = new Error('probe').stack
              return frames.map(f => [String(f.getFileName()), typeof f.getFunction(), typeof f.getThis()])
                .filter(([file, fn, self]) => !file.startsWith('job.js') && (fn !== 'undefined' || self !== 'undefined'))
            }
            """
        let result = try await run(code)
        #expect(result.value == [], "runtime frames leaked: \(String(describing: result.value))")
    }

    @Test func dynamicImportIsRefused() async throws {
        let result = try await run("module.exports = async () => (await import('fs')).readFileSync('/etc/passwd', 'utf8')")
        #expect(result.error != nil)
        #expect(result.value == nil)
    }

    @Test func webAssemblyCompilationIsDisabled() async throws {
        let code = "module.exports = async () => { await WebAssembly.compile(new Uint8Array([0,97,115,109,1,0,0,0])); return 'compiled' }"
        let result = try await run(code)
        #expect(result.value == nil)
        #expect(result.error?.message.contains("disallowed") == true || result.error?.message.contains("Wasm code generation") == true, "\(String(describing: result.error))")
    }

    @Test func processSignalsAreUnreachable() async throws {
        let result = try await run("module.exports = () => typeof process === 'undefined' ? 'no process' : process.kill(process.ppid, 'SIGKILL')")
        #expect(result.value == "no process")
    }

    @Test func infiniteLoopIsStoppedByTheWallClock() async throws {
        let start = ContinuousClock.now
        let result = try await run("module.exports = () => { while (true) {} }", timeout: 300)
        #expect(result.error?.type == .timeout)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func busyLoopInsideAPromiseIsStopped() async throws {
        let result = try await run("module.exports = () => new Promise(() => { Promise.resolve().then(function spin() { for (;;) {} }) })", timeout: 300)
        #expect(result.error?.type == .timeout)
    }

    @Test func neverSettlingPromiseTimesOut() async throws {
        let result = try await run("module.exports = () => new Promise(() => {})", timeout: 300)
        #expect(result.error?.type == .timeout)
    }

    @Test func arrayGrowthHitsTheMemoryLimit() async throws {
        let result = try await run("module.exports = () => { const a = []; for (;;) a.push({ n: a.length, s: 'x'.repeat(64) }) }", timeout: 20000)
        #expect(result.error?.type == .outOfMemory, "\(String(describing: result.error))")
    }

    @Test func stringDoublingHitsTheMemoryLimit() async throws {
        let result = try await run("module.exports = () => { let s = 'x'; for (;;) s = s + s }", timeout: 20000)
        #expect(result.error?.type == .outOfMemory, "\(String(describing: result.error))")
    }

    @Test func arrayBufferAllocationHitsTheMemoryLimit() async throws {
        let result = try await run("module.exports = () => { const keep = []; for (;;) keep.push(new Uint8Array(32 * 1024 * 1024).fill(7)) }", timeout: 20000)
        #expect(result.error?.type == .outOfMemory, "\(String(describing: result.error))")
    }

    @Test func hugeConsoleOutputIsTruncated() async throws {
        let result = try await run("module.exports = () => { for (let i = 0; i < 100000; i++) console.log('spam '.repeat(100)); return 'done' }", timeout: 10000)
        #expect(result.value == "done")
        let total = result.logs.reduce(0) { $0 + $1.message.utf8.count }
        #expect(total <= 4096 + 200)
        #expect(result.logs.last?.message.contains("truncated") == true)
    }

    @Test func hugeReturnValueIsRefused() async throws {
        let result = try await run("module.exports = () => 'y'.repeat(1024 * 1024)")
        #expect(result.error?.type == .outputTooLarge)
    }

    @Test func timingOutWhileHoldingAProxiedRequestFreesEverything() async throws {
        struct HangingBridge: SandboxAPIBridge {
            func perform(_ request: SandboxAPIRequest) async throws -> JSONValue {
                try await Task.sleep(for: .seconds(60))
                return .null
            }
        }
        let start = ContinuousClock.now
        let result = try await run("module.exports = async ({ externalApiClient }) => externalApiClient.get('/slow')", timeout: 400, bridge: HangingBridge())
        #expect(result.error?.type == .timeout)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func globalsAndPrototypesDoNotSurviveIntoTheSameTenantsNextJob() async throws {
        let tenant = UUID().uuidString
        let first = """
            module.exports = () => {
              globalThis.leftover = 'secret-of-job-1'
              Object.prototype.polluted = 'yes'
              Array.prototype.map = () => 'hijacked'
              JSON.stringify = () => '"hijacked"'
              setTimeout(() => { globalThis.late = 'timer ran' }, 50)
              return 'planted'
            }
            """
        #expect(try await run(first, tenant: tenant).value == "planted")
        try await Task.sleep(for: .milliseconds(100))
        let second = """
            module.exports = () => [typeof globalThis.leftover, ({}).polluted === undefined, [1].map(x => x + 1)[0], JSON.stringify({a: 1}), typeof globalThis.late]
            """
        let result = try await run(second, tenant: tenant)
        #expect(result.value == ["undefined", true, 2, "{\"a\":1}", "undefined"])
    }

    @Test func anotherTenantNeverGetsAUsedProcess() async throws {
        let runner = try await Self.runner.value
        let tenantA = "tenant-a-" + UUID().uuidString
        let tenantB = "tenant-b-" + UUID().uuidString
        #expect(try await run("module.exports = () => { globalThis.mine = 'A'; return 1 }", tenant: tenantA).value == 1)
        let countsBefore = await runner.pool.tenantProcessCounts
        #expect(countsBefore["w/\(tenantA)"] == 1)
        let result = try await run("module.exports = () => typeof globalThis.mine", tenant: tenantB)
        #expect(result.value == "undefined")
        let countsAfter = await runner.pool.tenantProcessCounts
        #expect(countsAfter["w/\(tenantA)"] == 1, "A's process stays A's")
        #expect(countsAfter["w/\(tenantB)"] == 1, "B got a process of its own")
    }

    @Test func concurrentJobsOfTwoTenantsCannotSeeEachOther() async throws {
        let holder = "module.exports = async ({ input }) => { globalThis.secret = input.secret; await new Promise(r => setTimeout(r, 300)); return globalThis.secret }"
        let snooper = "module.exports = async () => { await new Promise(r => setTimeout(r, 100)); return [typeof globalThis.secret, Object.keys(globalThis).filter(k => k !== 'console' && !k.startsWith('set') && !k.startsWith('clear') && k !== 'atob' && k !== 'btoa')] }"
        let runner = try await Self.runner.value
        async let a = runner.run(
            CodeJob(workspaceID: "w", tenantID: "holder-" + UUID().uuidString, code: holder, input: ["secret": "tenant-a-credentials"]),
            bridge: NoAPIBridge()
        )
        async let b = runner.run(CodeJob(workspaceID: "w", tenantID: "snooper-" + UUID().uuidString, code: snooper), bridge: NoAPIBridge())
        let (resultA, resultB) = await (a, b)
        try await expectHealthy(runner)
        #expect(resultA.value == "tenant-a-credentials")
        #expect(resultB.value == ["undefined", []])
    }

    @Test func sandboxViolationDestroysTheProcess() async throws {
        let runner = try await Self.runner.value
        let tenant = UUID().uuidString
        let result = try await run("import x from 'child_process'\nexport default () => x", tenant: tenant)
        #expect(result.error?.type == .sandboxViolation)
        #expect(await runner.pool.tenantProcessCounts["w/\(tenant)"] == nil, "a violating process is never reused")
    }
}
