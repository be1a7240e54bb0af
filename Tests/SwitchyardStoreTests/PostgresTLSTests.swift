import Foundation
import Logging
import Testing

import SwitchyardCore
@testable import SwitchyardStore

/// TLS to the test server, which `scripts/test` starts with a self-signed certificate for the
/// name `localhost` only.
/// The test server's certificate, exported by scripts/lib/postgres.sh.
enum TestCertificate {
    static let path = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_CA"]
    static var available: Bool { (Backend.postgresURL != nil && path != nil) || Backend.requireAll }
}

@Suite(.enabled(if: TestCertificate.available, "needs the TLS-enabled PostgreSQL of scripts/test"))
struct PostgresTLSTests {
    static let ca = TestCertificate.path

    private func url(host: String, query: String) throws -> DatabaseLocation {
        let base = try PostgresURL.parse(try #require(Backend.postgresURL))
        return try DatabaseLocation.parse("postgres://\(base.username)@\(host):\(base.port)/\(base.database)?\(query)")
    }

    private func probe(_ location: DatabaseLocation) async -> SwitchyardError? {
        do {
            try await DatabaseProbe(location: location).check(logger: Logger(label: "tls"))
            return nil
        } catch {
            return error
        }
    }

    @Test func requireEncryptsWithoutVerifying() async throws {
        #expect(await probe(try url(host: "127.0.0.1", query: "sslmode=require")) == nil)
    }

    @Test func verifyFullAcceptsTheCertificateOfTheNameItConnectsTo() async throws {
        let ca = try #require(Self.ca)
        #expect(await probe(try url(host: "localhost", query: "sslmode=verify-full&sslrootcert=\(ca)")) == nil)
    }

    @Test func verifyFullRefusesACertificateThatDoesNotNameTheServer() async throws {
        let ca = try #require(Self.ca)
        let error = try #require(await probe(try url(host: "127.0.0.1", query: "sslmode=verify-full&sslrootcert=\(ca)")))
        #expect(error.key == .unavailable)
        #expect(error.message.contains("PostgreSQL at 127.0.0.1"))
    }

    @Test func verifyFullRefusesAnUntrustedCertificate() async throws {
        let error = try #require(await probe(try url(host: "127.0.0.1", query: "sslmode=verify-full")))
        #expect(error.key == .unavailable)
    }

    @Test func theStoreWorksOverTLS() async throws {
        let ca = try #require(Self.ca)
        let location = try url(host: "localhost", query: "sslmode=verify-full&sslrootcert=\(ca)")
        let store = try OpenStore.open(location, keys: KeyRing(secret: "tls-encryption-secret-0001"), cursors: PageCursor(secret: "tls-cursor-secret-000001"), logger: Logger(label: "tls"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            let version = try await store.migrator.currentVersion()
            #expect(version >= 0)
            group.cancelAll()
        }
    }
}
