import Foundation

/// What the machine running the tests provides, from the variables `scripts/test` sets.
enum TestEnvironment {
    static let environment = ProcessInfo.processInfo.environment

    /// When set (by `scripts/test`), a test whose tool or server is missing fails instead of skipping.
    static let requireAll = environment["SWITCHYARD_TEST_REQUIRE_ALL"] == "1"

    /// The PostgreSQL server `scripts/test` started, if any.
    static let postgresURL = environment["SWITCHYARD_TEST_POSTGRES_URL"]

    /// The built `switchyard` executable: beside the test bundle in the build folder.
    static let binaryPath: String? = {
        if let explicit = environment["SWITCHYARD_BINARY"] { return explicit }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("switchyard").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    /// Finds a command on `PATH`.
    static func tool(_ name: String) -> String? {
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Whether tests needing the binary can run (or must, under `scripts/test`).
    static var canRunBinary: Bool { binaryPath != nil || requireAll }
    /// Whether tests needing PostgreSQL can run (or must).
    static var canUsePostgres: Bool { postgresURL != nil || requireAll }
    /// Whether `promtool` tests can run (or must).
    static var canUsePromtool: Bool { tool("promtool") != nil || requireAll }
    /// Whether `socat` tests can run (or must).
    static var canUseSocat: Bool { tool("socat") != nil || requireAll }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "switchyard-test-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
