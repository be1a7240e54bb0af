import Foundation
/// How the HTTP server listens and which limits it applies.
package struct HTTPServerSettings: Sendable, Equatable {
    /// Address to bind (`HOST`, default `127.0.0.1`).
    package var host: String
    /// Port to bind (`PORT`, default 5000; 0 picks a free port).
    package var port: Int
    /// Time a new connection has to deliver its first request head (`HEADERS_TIMEOUT_MS`).
    package var headersTimeout: Duration
    /// Idle time before a kept-alive connection is closed (`KEEPALIVE_TIMEOUT_MS`).
    package var keepAliveTimeout: Duration
    /// Largest accepted request body in bytes (`MAX_REQUEST_SIZE_MB`, default 10 MB).
    package var maxRequestBodyBytes: Int

    /// Reads the settings.
    /// - Parameter env: The environment reader; problems are recorded there.
    package init(env: inout EnvironmentReader) {
        host = env.string("HOST")?.trimmingCharacters(in: .whitespaces) ?? "127.0.0.1"
        if host.contains("/") || host.contains(" ") {
            env.report("HOST", "'\(host)' is not a host name or address")
        }
        port = env.int("PORT", default: 5000, in: 0...65535)
        headersTimeout = .milliseconds(env.int("HEADERS_TIMEOUT_MS", default: 61_000, in: 1...3_600_000))
        keepAliveTimeout = .milliseconds(env.int("KEEPALIVE_TIMEOUT_MS", default: 61_000, in: 1...3_600_000))
        maxRequestBodyBytes = env.int("MAX_REQUEST_SIZE_MB", default: 10, in: 1...1024) * 1024 * 1024
    }
}
