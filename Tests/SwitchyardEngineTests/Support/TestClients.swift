import Logging
import Synchronization
import Testing

import SwitchyardCore
import SwitchyardEngine
import SwitchyardTestSupport

/// The httpbin server every test of the run shares (started once; it exits with the test
/// process, whose pipe to its standard input then closes).
enum HTTPBin {
    private static let server = Mutex<Task<PythonTestServer, any Error>?>(nil)

    /// The server's base URL, `http://127.0.0.1:<port>`.
    static func baseURL() async throws -> String {
        let task = server.withLock { current in
            if let current { return current }
            let task = Task { try await PythonTestServer.start("httpbin_server.py") }
            current = task
            return task
        }
        return try await task.value.baseURL
    }
}

/// Test settings: loopback allowed (the servers are there), short backoff.
func loopbackSettings(_ configure: (inout OutboundHTTPSettings) -> Void = { _ in }) -> OutboundHTTPSettings {
    var settings = OutboundHTTPSettings(
        // Generous: a chain of redirects or retries to httpbin can crawl when the whole suite
        // loads the machine; tests of timeouts set their own.
        connectTimeout: .seconds(5), requestTimeout: .seconds(90), backoffBase: .milliseconds(20), backoffMax: .milliseconds(100),
        addressPolicy: AddressPolicy(allowedNetworks: [try! NetworkRange(parsing: "127.0.0.0/8"), try! NetworkRange(parsing: "::1")]))
    configure(&settings)
    return settings
}

/// Runs `body` with a client (shut down afterwards, whatever happens) and its log sink.
func withClient<T>(
    _ settings: OutboundHTTPSettings = loopbackSettings(),
    logger: Logger = Logger(label: "switchyard.test.outbound", factory: { _ in SwiftLogNoOpLogHandler() }),
    resolver: any HostResolver = SystemHostResolver(),
    _ body: (OutboundHTTPClient, InMemoryExternalAPILogSink) async throws -> T
) async throws -> T {
    let sink = InMemoryExternalAPILogSink()
    let client = OutboundHTTPClient(settings: settings, logSink: sink, logger: logger, resolver: resolver)
    do {
        let result = try await body(client, sink)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// Expects `operation` to fail with a `SwitchyardError` and returns it.
func expectSwitchyardError(
    _ operation: () async throws -> some Any, sourceLocation: SourceLocation = #_sourceLocation
) async -> SwitchyardError? {
    do {
        _ = try await operation()
        Issue.record("expected an error", sourceLocation: sourceLocation)
        return nil
    } catch let error as SwitchyardError {
        return error
    } catch {
        Issue.record("expected a SwitchyardError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
