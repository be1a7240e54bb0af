import Foundation
import SwitchyardCore
import SwitchyardStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL server of the test's own (the shared one must not be killed), with `fsync` on.
package struct DedicatedPostgres: Sendable {
    package let directory: String
    package let port: Int
    package let bin: String

    package static var bin: String? {
        ProcessInfo.processInfo.environment["SWITCHYARD_TEST_PGBIN"]
            ?? (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted().last.map { "/usr/lib/postgresql/\($0)/bin" }
    }

    package static func start() async throws -> DedicatedPostgres {
        let bin = try #require(Self.bin, "PostgreSQL binaries are not installed")
        let directory = NSTemporaryDirectory() + "switchyard-pg-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = try Self.freePort()
        let server = DedicatedPostgres(directory: directory, port: port, bin: bin)
        try await server.asPostgres("chown", ["postgres:postgres", directory], asRoot: true)
        try await server.asPostgres("\(bin)/initdb", ["-D", "\(directory)/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"])
        try await server.start()
        return server
    }

    package func start() async throws {
        // -t 180: after a crash, recovery on a loaded machine can outlast pg_ctl's default 60 s.
        // The server inherits every descriptor the test process holds (over a thousand while a
        // full run starts its processes); they count against max_files_per_process (1000 by
        // default), so it needs more room to start (see also `run`).
        let options = "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory) -c max_files_per_process=10000"
        let arguments = ["-D", "\(directory)/data", "-l", "\(directory)/log", "-w", "-t", "180", "-o", options, "start"]
        // A restart needs the same port, which another test may have bound for a moment while
        // the server was down (tests bind port 0 all the time): try again a few times.
        for attempt in 1...5 {
            let status = try await status("\(bin)/pg_ctl", arguments)
            if status == 0 { return }
            if attempt == 5 {
                let log = (try? String(contentsOfFile: "\(directory)/log", encoding: .utf8)) ?? ""
                Issue.record(
                    """
                    pg_ctl start failed with status \(status) five times; the server log ends \
                    with:\n\(log.split(separator: "\n").suffix(15).joined(separator: "\n"))
                    """
                )
                throw POSIXError(.EIO)
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// The admin URL as text.
    package var urlString: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    /// Stops the server as a crash would (no checkpoint, no clean shutdown).
    package func kill() async throws {
        try await asPostgres("\(bin)/pg_ctl", ["-D", "\(directory)/data", "-m", "immediate", "stop"])
    }

    /// What every session is doing and which locks it waits for (`pg_stat_activity`), for the
    /// message of a test that found the database stuck.
    package func activity() async -> String {
        let sql = """
            SELECT pid, application_name, state, wait_event_type, wait_event, now() - xact_start AS in_transaction,
                   pg_blocking_pids(pid) AS blocked_by, left(query, 120) AS query
            FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
            """
        let psql = "\(bin)/psql"
        let arguments = ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-c", sql]
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: psql)
                process.arguments = arguments
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = pipe
                do {
                    try ProcessLaunch.run(process)
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    ProcessLaunch.waitForExitBlocking(process, timeout: .seconds(10))
                    continuation.resume(returning: String(decoding: data, as: UTF8.self))
                } catch {
                    continuation.resume(returning: "psql could not run: \(error)")
                }
            }
        }
    }

    /// Stops the server (if running) and deletes its files; blocking, for `defer`.
    package func remove() {
        _ = try? Self.run("\(bin)/pg_ctl", ["-D", "\(directory)/data", "-m", "immediate", "stop"], asRoot: false)
        try? FileManager.default.removeItem(atPath: directory)
    }

    package var url: PostgresURL {
        get throws { try PostgresURL.parse(urlString) }
    }

    /// A port nothing listens on now.
    private static func freePort() throws -> Int { try FreePort.pick() }

    /// Runs a PostgreSQL tool on a thread of its own: `pg_ctl -w` waits seconds, and blocking a
    /// cooperative thread for that long starves every other test in the process.
    private func asPostgres(_ executable: String, _ arguments: [String], asRoot: Bool = false) async throws {
        let status = try await status(executable, arguments, asRoot: asRoot)
        #expect(status == 0, "\(executable) \(arguments.joined(separator: " ")) failed with status \(status)")
    }

    private func status(_ executable: String, _ arguments: [String], asRoot: Bool = false) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Self.run(executable, arguments, asRoot: asRoot) })
            }
        }
    }

    private static func run(_ executable: String, _ arguments: [String], asRoot: Bool) throws -> Int32 {
        if getuid() == 0 && !asRoot {
            // runuser sets the soft limit on open files to PAM's 1024, below what the server
            // inherits from the test process (see `start`): it would refuse to start
            // ("insufficient file descriptors"). Raise the soft limit to the hard one first.
            let raised = #"ulimit -Sn "$(ulimit -Hn)"; exec "$0" "$@""#
            return try ProcessLaunch.runToCompletion("/usr/sbin/runuser", ["-u", "postgres", "--", "/bin/sh", "-c", raised, executable] + arguments)
        } else if getuid() == 0 {
            return try ProcessLaunch.runToCompletion(executable.hasPrefix("/") ? executable : "/usr/bin/\(executable)", arguments)
        } else {
            guard !asRoot else { return 0 }
            return try ProcessLaunch.runToCompletion(executable, arguments)
        }
    }
}
