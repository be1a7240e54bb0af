import Foundation
import SwitchyardCore

/// The three buckets of the seed's storage model.
package enum Bucket: String, Sendable, CaseIterable {
    /// Temporary files; objects expire.
    case tmp
    /// Connector packages.
    case connectors
    /// Static files served at `BASE_STATIC_URI`.
    case `static`
}

/// What is known about a stored object.
package struct BlobInfo: Sendable, Equatable {
    /// The object's key.
    package var key: String
    /// Its size in bytes.
    package var size: Int
    /// When it was last written.
    package var modifiedAt: Date
}

/// Object storage: the filesystem by default, S3-compatible servers behind the same protocol.
package protocol BlobStore: Sendable {
    /// Writes an object from a stream of chunks; readers never see a partial object.
    func put(_ bucket: Bucket, key: String, chunks: some AsyncSequence<Data, any Error> & Sendable) async throws(SwitchyardError) -> BlobInfo
    /// Reads an object as a stream of chunks.
    func get(_ bucket: Bucket, key: String) async throws(SwitchyardError) -> AsyncThrowingStream<Data, any Error>
    /// Describes an object.
    func head(_ bucket: Bucket, key: String) async throws(SwitchyardError) -> BlobInfo
    /// Deletes an object; deleting a missing object is not an error.
    func delete(_ bucket: Bucket, key: String) async throws(SwitchyardError)
    /// Lists objects whose keys start with a prefix, in key order.
    func list(_ bucket: Bucket, prefix: String) async throws(SwitchyardError) -> [BlobInfo]
    /// Deletes objects of a bucket last written before a date; returns how many.
    func deleteExpired(_ bucket: Bucket, olderThan date: Date) async throws(SwitchyardError) -> Int
}

extension BlobStore {
    /// Writes an object from memory.
    package func put(_ bucket: Bucket, key: String, data: Data) async throws(SwitchyardError) -> BlobInfo {
        try await put(bucket, key: key, chunks: AsyncThrowingStream<Data, any Error> { continuation in
            continuation.yield(data)
            continuation.finish()
        })
    }

    /// Reads a whole object into memory, refusing one larger than `limit` bytes.
    package func data(_ bucket: Bucket, key: String, limit: Int = 64 * 1024 * 1024) async throws(SwitchyardError) -> Data {
        var result = Data()
        do {
            for try await chunk in try await get(bucket, key: key) {
                result.append(chunk)
                if result.count > limit { throw SwitchyardError(.tooLarge, "object \(key) is larger than \(limit) bytes") }
            }
        } catch let error as SwitchyardError {
            throw error
        } catch {
            throw SwitchyardError(.unavailable, "cannot read object \(key)", internalDetail: "\(error)")
        }
        return result
    }
}

/// Object keys: relative paths of plain segments. Anything that could step outside a bucket is
/// refused.
package enum BlobKey {
    /// Checks a key.
    /// - Throws: `bad_request` naming what is wrong.
    package static func validate(_ key: String) throws(SwitchyardError) {
        guard !key.isEmpty, key.utf8.count <= 1024 else {
            throw SwitchyardError(.badRequest, "object key must be 1 to 1024 bytes", data: ["field": "key"])
        }
        guard !key.hasPrefix("/"), !key.contains("\\"), !key.contains("\0") else {
            throw SwitchyardError(.badRequest, "object key '\(key)' must be a relative path without backslashes or NUL", data: ["field": "key"])
        }
        for segment in key.split(separator: "/", omittingEmptySubsequences: false) {
            guard !segment.isEmpty, segment != ".", segment != ".." else {
                throw SwitchyardError(.badRequest, "object key '\(key)' has an empty, '.' or '..' segment", data: ["field": "key"])
            }
            guard !segment.hasPrefix(".tmp-") else {
                throw SwitchyardError(.badRequest, "object key '\(key)' uses the reserved prefix '.tmp-'", data: ["field": "key"])
            }
        }
    }
}
