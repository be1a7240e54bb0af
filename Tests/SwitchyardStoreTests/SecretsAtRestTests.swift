import Foundation
import Testing

import SwitchyardCore
@testable import SwitchyardStore

@Suite struct SecretsAtRestTests {
    static let scope = StoreScope.tenant("tenant-a", in: "w1")
    static let credentials: JSONValue = ["accessToken": "ya29.plain-access-token-7731", "refreshToken": "1//plain-refresh-token-4412"]

    /// Everything the database holds on disk or in a dump, as text.
    private func dump(_ database: TestDatabase) async throws -> String {
        switch database.location {
        case .sqlite(let path):
            var text = ""
            for file in [path, path + "-wal"] where FileManager.default.fileExists(atPath: file) {
                text += String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
            }
            return text
        case .postgres(let url):
            let pgDump = try #require(
                ["/usr/bin/pg_dump", "/usr/lib/postgresql/15/bin/pg_dump"].first { FileManager.default.isExecutableFile(atPath: $0) },
                "pg_dump is not installed (Debian: postgresql-client)"
            )
            let process = Process()
            process.executableURL = URL(fileURLWithPath: pgDump)
            process.arguments = ["-h", url.host, "-p", String(url.port), "-U", url.username, "--no-password", url.database]
            let output = Pipe()
            process.standardOutput = output
            try ProcessLaunch.run(process)
            let data = output.fileHandleForReading.readDataToEndOfFile()
            await ProcessLaunch.waitForExit(process)
            #expect(process.terminationStatus == 0)
            return String(decoding: data, as: UTF8.self)
        }
    }

    @Test(arguments: Backend.available)
    func aDumpHoldsNoSecretInPlainText(backend: Backend) async throws {
        try await TestDatabase.with(backend) { store, database in
            let connection = try await store.records.insert(
                NewRecord(kind: .connections, document: ["name": "HubSpot of tenant A"], secret: Self.credentials), scope: Self.scope
            )
            #expect(try await store.records.get(.connections, id: connection.id, scope: Self.scope).secret == Self.credentials)
            let workspace = try await store.records.insert(
                NewRecord(kind: .workspaces, id: "w1", key: "acme", document: ["name": "Acme"], secret: ["secret": "plain-workspace-secret-5519"]),
                scope: .workspace("w1")
            )
            #expect(try await store.records.get(.workspaces, id: workspace.id, scope: .workspace("w1")).secret == ["secret": "plain-workspace-secret-5519"])
            let text = try await dump(database)
            #expect(text.contains("HubSpot of tenant A"), "the dump holds the connection's other fields")
            #expect(!text.contains("plain-access-token-7731"))
            #expect(!text.contains("plain-refresh-token-4412"))
            #expect(!text.contains("plain-workspace-secret-5519"))
            #expect(text.contains("v1.\(database.keys.currentKeyID)."), "the secret is stored as a ciphertext with its key id")
        }
    }

    /// Write under key 1, rotate to key 2 while reads go on, read everything back, then drop key 1.
    @Test(arguments: Backend.available)
    func rotationReencryptsEverythingWhileReadsContinue(backend: Backend) async throws {
        let key1 = KeyRing(secret: "first-encryption-secret-0001")
        let database = try await TestDatabase.create(backend, keys: key1)
        let cursors = database.cursors
        var ids: [String] = []
        let first = try OpenStore.open(database.location, keys: key1, cursors: cursors, logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await first.run() }
            _ = try await first.migrator.migrate()
            for n in 0..<250 {
                ids.append(try await first.records.insert(NewRecord(kind: .connections, document: ["n": .number(Double(n))], secret: ["token": .string("secret-\(n)")]), scope: Self.scope).id)
            }
            group.cancelAll()
        }
        let rotating = KeyRing(secret: "second-encryption-secret-0002", previous: ["first-encryption-secret-0001"])
        let second = try OpenStore.open(database.location, keys: rotating, cursors: cursors, logger: TestDatabase.logger)
        let snapshot = ids
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await second.run() }
            try await withThrowingTaskGroup(of: Int.self) { work in
                work.addTask {
                    var total = 0
                    while true {
                        let batch = try await second.records.reencryptSecrets(.connections, batchSize: 40)
                        if batch == 0 { return total }
                        total += batch
                    }
                }
                work.addTask {
                    var reads = 0
                    for (n, id) in snapshot.enumerated() {
                        let record = try await second.records.get(.connections, id: id, scope: Self.scope)
                        #expect(record.secret == ["token": .string("secret-\(n)")])
                        reads += 1
                    }
                    return reads
                }
                var results: [Int] = []
                for try await value in work { results.append(value) }
                #expect(results.contains(250), "every secret re-encrypted and every read succeeded")
            }
            group.cancelAll()
        }
        // The old key can now be dropped: everything opens with key 2 alone.
        let onlyKey2 = KeyRing(secret: "second-encryption-secret-0002")
        let third = try OpenStore.open(database.location, keys: onlyKey2, cursors: cursors, logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await third.run() }
            for (n, id) in snapshot.enumerated() {
                let record = try await third.records.get(.connections, id: id, scope: Self.scope)
                #expect(record.secret == ["token": .string("secret-\(n)")])
            }
            let left = try await third.records.reencryptSecrets(.connections, batchSize: 40)
            #expect(left == 0)
            group.cancelAll()
        }
        // A store with only the old key fails clearly, never with garbage.
        let onlyKey1 = try OpenStore.open(database.location, keys: key1, cursors: cursors, logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await onlyKey1.run() }
            do {
                _ = try await onlyKey1.records.get(.connections, id: snapshot[0], scope: Self.scope)
                Issue.record("reading with a key that is gone must fail")
            } catch let error as SwitchyardError {
                #expect(error.message.contains("was sealed with key \(rotating.currentKeyID)"))
                #expect(error.message.contains("ENCRYPTION_SECRET_PREVIOUS"))
            }
            group.cancelAll()
        }
        _ = database
        try await TestDatabase.drop(database)
    }

    @Test func ciphertextMovedToAnotherRecordDoesNotOpen() throws {
        let keys = KeyRing(secret: "some-encryption-secret-value")
        let sealed = try keys.seal(["token": "x"], kind: .connections, id: "c1")
        #expect(try keys.open(sealed, kind: .connections, id: "c1") == ["token": "x"])
        #expect(throws: SwitchyardError.self) { try keys.open(sealed, kind: .connections, id: "c2") }
        #expect(throws: SwitchyardError.self) { try keys.open(sealed, kind: .tenants, id: "c1") }
        #expect(throws: SwitchyardError.self) { try keys.open("v1.abc.notbase64!!", kind: .connections, id: "c1") }
        #expect(KeyRing.keyID(of: sealed) == keys.currentKeyID)
    }
}
