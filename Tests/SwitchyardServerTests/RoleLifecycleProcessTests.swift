import Foundation
import SwitchyardStore
import Testing

@testable import SwitchyardServer

#if canImport(Glibc)
import Glibc
#endif

/// Every role alone, and all of them in one process, ends when it should in every state it can
/// be in at start-up: healthy, a start-up check still retrying, a start-up check that failed,
/// and a port it cannot listen on. A role that cannot start exits non-zero within seconds
/// naming why; SIGTERM ends every role within the grace period. The cases of each test run
/// at once, so the whole suite takes about as long as its slowest process.
@Suite(.enabled(if: TestEnvironment.canRunBinary, "needs the built switchyard binary"))
struct RoleLifecycleProcessTests {
    /// The longest a stop may take: the job workers' shutdown grace, which running jobs get to
    /// finish. These processes run no jobs, so they need far less.
    static let gracePeriod: Duration = .seconds(20)
    /// The longest a process that cannot start may take to say so and exit.
    static let failureLimit: Duration = .seconds(15)

    /// A process to start as operators do: one role by its `IS_*` variable, or every role
    /// (all-in-one, no variable set).
    struct Subject: Sendable, CustomTestStringConvertible {
        /// The roles it runs.
        var roles: Set<Role>

        /// The name in the test report.
        var testDescription: String { isAllInOne ? "all-in-one" : roles.map(\.rawValue).joined() }
        /// The variables that choose its roles, merged into `extra`.
        func environment(_ extra: [String: String]) -> [String: String] {
            var own = isAllInOne ? [:] : Dictionary(uniqueKeysWithValues: roles.map { ($0.environmentVariable, "1") })
            // A console or ui without the api role calls the API over HTTP and must be told where it is.
            if !roles.isDisjoint(with: [.console, .ui]), !roles.contains(.api) { own["ENGINE_API_URI"] = "http://127.0.0.1:9" }
            return extra.merging(own) { _, role in role }
        }
        /// Whether it keeps state in the database, and so checks the database at start-up.
        var usesDatabase: Bool { !roles.isDisjoint(with: SwitchyardAssembly.databaseRoles) }
        /// Whether it runs every role.
        var isAllInOne: Bool { roles.count == Role.allCases.count }
    }

    /// Every role alone, and all-in-one.
    static let everyProcess = Role.allCases.map { Subject(roles: [$0]) } + [Subject(roles: Set(Role.allCases))]
    /// The processes with start-up dependency checks (the connect UI and the code runner have none).
    static let withStartupChecks = everyProcess.filter(\.usesDatabase)

    /// An environment whose database never answers (nothing listens on its port), with
    /// start-up checks retrying quickly; and the address its check names.
    private static func unreachableDatabase(retries: Int) throws -> (environment: [String: String], address: String) {
        let address = "127.0.0.1:\(try RawConnection.freePort())"
        let environment = [
            "DATABASE_URL": "postgres://postgres@\(address)/postgres",
            "HEALTH_CHECK_RETRIES": String(retries), "HEALTH_CHECK_RETRY_DELAY_MS": "20", "HEALTH_CHECK_MAX_RETRY_DELAY_MS": "100",
        ]
        return (environment, address)
    }

    @Test(arguments: everyProcess)
    func sigtermStopsAHealthyProcess(subject: Subject) async throws {
        let directory = try await SwitchyardProcess.migratedDataDirectory()
        let child = try SwitchyardProcess(["serve"], environment: subject.environment(["DATA_DIR": directory]))
        _ = try await child.waitUntilHealthy()
        child.signal(SIGTERM)
        #expect(try await child.waitForExit(timeout: Self.gracePeriod) == 0, "\(child.output)")
        #expect(child.output.contains("stopped"), "\(child.output)")
    }

    @Test(arguments: withStartupChecks)
    func sigtermStopsAProcessWhoseStartupChecksAreRetrying(subject: Subject) async throws {
        let child = try SwitchyardProcess(["serve"], environment: subject.environment(try Self.unreachableDatabase(retries: 1000).environment))
        try await child.waitForOutput("dependency not ready; retrying")
        child.signal(SIGTERM)
        #expect(try await child.waitForExit(timeout: Self.gracePeriod) == 0, "\(child.output)")
    }

    /// A role that needs the database, on a fresh `DATA_DIR` (the schema not migrated), stops at
    /// once saying to migrate. All-in-one migrates its own database, so its check fails with a
    /// database that never answers.
    @Test(arguments: withStartupChecks)
    func failedStartupCheckEndsTheProcessNamingTheCheck(subject: Subject) async throws {
        let unmigrated = "the database schema is at version 0 and this build needs \(Migrations.latestVersion): run `switchyard migrate`"
        let (environment, reason) = subject.isAllInOne ? try Self.unreachableDatabase(retries: 1) : (["HEALTH_CHECK_RETRIES": "1"], unmigrated)
        let child = try SwitchyardProcess(["serve"], environment: subject.environment(environment))
        let status = try await child.waitForExit(timeout: Self.failureLimit)
        #expect(status != 0, "\(child.output)")
        #expect(child.output.contains("dependency check 'database' failed"), "\(child.output)")
        #expect(child.output.contains(reason), "\(child.output)")
    }

    @Test(arguments: everyProcess)
    func portInUseEndsTheProcessNamingThePort(subject: Subject) async throws {
        let held = try HeldPort()
        let directory = try await SwitchyardProcess.migratedDataDirectory()
        let child = try SwitchyardProcess(["serve"], environment: subject.environment(["DATA_DIR": directory, "PORT": String(held.port)]))
        let status = try await child.waitForExit(timeout: Self.failureLimit)
        #expect(status != 0, "\(child.output)")
        #expect(child.output.contains("cannot listen on 127.0.0.1:\(held.port)"), "\(child.output)")
        withExtendedLifetime(held) {}
    }
}
