import Foundation
import Testing

@testable import SwitchyardBlobs
import SwitchyardCore

@Suite struct FileBlobStoreTests {
    private func store() throws -> FileBlobStore {
        let root = NSTemporaryDirectory() + "switchyard-blobs-" + UUID().uuidString.prefix(8)
        return try FileBlobStore(root: root, bucketNames: [.connectors: "connector-packages"])
    }

    @Test func putGetHeadListDelete() async throws {
        let blobs = try store()
        let info = try await blobs.put(.connectors, key: "hubspot/1.0.0.zip", data: Data("zip bytes".utf8))
        #expect(info.size == 9)
        #expect(try await blobs.data(.connectors, key: "hubspot/1.0.0.zip") == Data("zip bytes".utf8))
        #expect(try await blobs.head(.connectors, key: "hubspot/1.0.0.zip").size == 9)
        _ = try await blobs.put(.connectors, key: "hubspot/1.1.0.zip", data: Data("newer".utf8))
        _ = try await blobs.put(.connectors, key: "slack/1.0.0.zip", data: Data("s".utf8))
        #expect(try await blobs.list(.connectors, prefix: "hubspot/").map(\.key) == ["hubspot/1.0.0.zip", "hubspot/1.1.0.zip"])
        #expect(FileManager.default.fileExists(atPath: blobs.root + "/connector-packages/slack/1.0.0.zip"), "bucket names come from settings")
        try await blobs.delete(.connectors, key: "hubspot/1.0.0.zip")
        try await blobs.delete(.connectors, key: "hubspot/1.0.0.zip")  // deleting twice is fine
        await #expect(throws: SwitchyardError.self) { _ = try await blobs.head(.connectors, key: "hubspot/1.0.0.zip") }
        #expect(try await blobs.list(.tmp, prefix: "").isEmpty, "buckets are separate")
    }

    @Test(arguments: ["../escape", "a/../../escape", "/etc/passwd", "a//b", "./a", "a/./b", "", "a\\b", "x/.tmp-123", "a/.."])
    func keysThatCouldLeaveTheBucketAreRefused(key: String) async throws {
        let blobs = try store()
        do {
            _ = try await blobs.put(.tmp, key: key, data: Data("x".utf8))
            Issue.record("'\(key)' was accepted")
        } catch {
            #expect(error.key == .badRequest)
            #expect(error.data["field"] == "key")
        }
        await #expect(throws: SwitchyardError.self) { _ = try await blobs.get(.tmp, key: key) }
    }

    @Test func aLinkInsideTheBucketCannotLeadOut() async throws {
        let blobs = try store()
        let outside = NSTemporaryDirectory() + "switchyard-outside-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: URL(fileURLWithPath: outside + "/secret.txt"))
        try FileManager.default.createSymbolicLink(atPath: blobs.root + "/tmp/link", withDestinationPath: outside)
        await #expect(throws: SwitchyardError.self) { _ = try await blobs.data(.tmp, key: "link/secret.txt") }
        await #expect(throws: SwitchyardError.self) { _ = try await blobs.put(.tmp, key: "link/planted.txt", data: Data("x".utf8)) }
        #expect(!FileManager.default.fileExists(atPath: outside + "/planted.txt"))
    }

    /// Readers racing a writer that replaces an object see the old or the new object, whole.
    @Test func readersNeverSeeAPartialObject() async throws {
        let blobs = try store()
        let versions = (0..<20).map { Data(repeating: UInt8(65 + $0), count: 512 * 1024) }
        _ = try await blobs.put(.static, key: "app.js", data: versions[0])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for version in versions.dropFirst() { _ = try await blobs.put(.static, key: "app.js", data: version) }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<30 {
                        let read = try await blobs.data(.static, key: "app.js")
                        #expect(versions.contains(read), "a reader saw \(read.count) bytes that are no whole version")
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func aFailedUploadLeavesTheOldObjectAndNoTemporaryFile() async throws {
        struct Broken: Error {}
        let blobs = try store()
        _ = try await blobs.put(.connectors, key: "pkg.zip", data: Data("original".utf8))
        let failing = AsyncThrowingStream<Data, any Error> { continuation in
            continuation.yield(Data("partial new cont".utf8))
            continuation.finish(throwing: Broken())
        }
        await #expect(throws: SwitchyardError.self) { _ = try await blobs.put(.connectors, key: "pkg.zip", chunks: failing) }
        #expect(try await blobs.data(.connectors, key: "pkg.zip") == Data("original".utf8))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: blobs.root + "/connector-packages").filter { $0.hasPrefix(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func expiredTemporaryObjectsAreDeleted() async throws {
        let blobs = try store()
        _ = try await blobs.put(.tmp, key: "old/export.json", data: Data("old".utf8))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-8 * 86400)], ofItemAtPath: blobs.root + "/tmp/old/export.json")
        _ = try await blobs.put(.tmp, key: "new/export.json", data: Data("new".utf8))
        #expect(try await blobs.deleteExpired(.tmp, olderThan: Date().addingTimeInterval(-7 * 86400)) == 1)
        #expect(try await blobs.list(.tmp, prefix: "").map(\.key) == ["new/export.json"])
    }

    @Test func probeWritesAndRemovesAnObject() async throws {
        let blobs = try store()
        try await blobs.probe()
        #expect(try await blobs.list(.tmp, prefix: "").isEmpty)
    }
}
