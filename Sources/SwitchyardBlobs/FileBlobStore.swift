import Foundation
import SwitchyardCore

#if canImport(Glibc)
import Glibc
#endif

/// Objects as files under a root directory (`DATA_DIR/blobs/<bucket>/<key>`).
///
/// A write goes to a temporary file in the bucket, is flushed to disk, then renamed over the
/// final name, so a reader sees the old object or the whole new one, never a partial one.
/// Keys are checked (no absolute paths, `..`, empty segments) and resolved paths are checked to
/// stay inside the bucket, so nothing outside it can be read or written.
package struct FileBlobStore: BlobStore {
    /// The root directory.
    package let root: String
    /// Bucket directory names (`TMP_STORAGE_BUCKET`, …).
    package let bucketNames: [Bucket: String]

    /// Creates the store, making the bucket directories.
    /// - Throws: `unavailable` when a directory cannot be created.
    package init(root: String, bucketNames: [Bucket: String] = [:]) throws(SwitchyardError) {
        self.root = root
        var names: [Bucket: String] = [:]
        for bucket in Bucket.allCases { names[bucket] = bucketNames[bucket] ?? bucket.rawValue }
        self.bucketNames = names
        for bucket in Bucket.allCases {
            let directory = "\(root)/\(names[bucket]!)"
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw SwitchyardError(.unavailable, "cannot create the storage directory \(directory)")
            }
        }
    }

    /// Checks the buckets can be written (the `storage` health check).
    package func probe() async throws(SwitchyardError) {
        let key = "health/probe-\(UUID().uuidString)"
        _ = try await put(.tmp, key: key, data: Data("ok".utf8))
        try await delete(.tmp, key: key)
    }

    private func directory(_ bucket: Bucket) -> String { "\(root)/\(bucketNames[bucket]!)" }

    /// The file of a key, after checking it stays inside the bucket.
    private func path(_ bucket: Bucket, _ key: String) throws(SwitchyardError) -> String {
        try BlobKey.validate(key)
        let base = URL(fileURLWithPath: directory(bucket)).standardizedFileURL.path
        let full = URL(fileURLWithPath: base + "/" + key).standardizedFileURL.path
        guard full.hasPrefix(base + "/") else {
            throw SwitchyardError(.badRequest, "object key '\(key)' leaves the bucket", data: ["field": "key"])
        }
        try checkNoLinkLeadsOut(full, base: base, key: key)
        return full
    }

    /// A symbolic link inside the bucket must not lead out of it: the deepest part of the path
    /// that exists is resolved by the kernel (`realpath`) and must stay inside the bucket.
    private func checkNoLinkLeadsOut(_ full: String, base: String, key: String) throws(SwitchyardError) {
        var existing = full
        while !FileManager.default.fileExists(atPath: existing), existing.count > base.count {
            existing = (existing as NSString).deletingLastPathComponent
        }
        guard let real = Self.realPath(existing), let realBase = Self.realPath(base), real == realBase || real.hasPrefix(realBase + "/") else {
            throw SwitchyardError(.badRequest, "object key '\(key)' leads outside the bucket through a link", data: ["field": "key"])
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    package func put(_ bucket: Bucket, key: String, chunks: some AsyncSequence<Data, any Error> & Sendable) async throws(SwitchyardError) -> BlobInfo {
        let target = try path(bucket, key)
        let folder = (target as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SwitchyardError(.unavailable, "cannot create a folder for object \(key)")
        }
        // The folders now exist: check again that none of them is a link leading out.
        try checkNoLinkLeadsOut(target, base: URL(fileURLWithPath: directory(bucket)).standardizedFileURL.path, key: key)
        let temporary = "\(directory(bucket))/.tmp-\(UUID().uuidString)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw SwitchyardError(.unavailable, "cannot write object \(key): \(String(cString: strerror(errno)))") }
        var size = 0
        do {
            for try await chunk in chunks {
                let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                guard written == chunk.count else { throw SwitchyardError(.unavailable, "cannot write object \(key): \(String(cString: strerror(errno)))") }
                size += chunk.count
            }
            guard fsync(fd) == 0 else { throw SwitchyardError(.unavailable, "cannot flush object \(key)") }
            close(fd)
            guard rename(temporary, target) == 0 else { throw SwitchyardError(.unavailable, "cannot store object \(key): \(String(cString: strerror(errno)))") }
        } catch {
            close(fd)
            unlink(temporary)
            if let error = error as? SwitchyardError { throw error }
            throw SwitchyardError(.badRequest, "the upload of object \(key) failed: \(error)")
        }
        return BlobInfo(key: key, size: size, modifiedAt: Date())
    }

    package func get(_ bucket: Bucket, key: String) async throws(SwitchyardError) -> AsyncThrowingStream<Data, any Error> {
        let file = try path(bucket, key)
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw SwitchyardError(.notFound, "object \(key) not found in \(bucket.rawValue)")
        }
        return AsyncThrowingStream { continuation in
            while true {
                let chunk = handle.readData(ofLength: 256 * 1024)
                if chunk.isEmpty { break }
                continuation.yield(chunk)
            }
            try? handle.close()
            continuation.finish()
        }
    }

    package func head(_ bucket: Bucket, key: String) async throws(SwitchyardError) -> BlobInfo {
        let file = try path(bucket, key)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file), attributes[.type] as? FileAttributeType == .typeRegular else {
            throw SwitchyardError(.notFound, "object \(key) not found in \(bucket.rawValue)")
        }
        return BlobInfo(key: key, size: (attributes[.size] as? Int) ?? 0, modifiedAt: (attributes[.modificationDate] as? Date) ?? .distantPast)
    }

    package func delete(_ bucket: Bucket, key: String) async throws(SwitchyardError) {
        let file = try path(bucket, key)
        if unlink(file) != 0 && errno != ENOENT {
            throw SwitchyardError(.unavailable, "cannot delete object \(key): \(String(cString: strerror(errno)))")
        }
    }

    package func list(_ bucket: Bucket, prefix: String) async throws(SwitchyardError) -> [BlobInfo] {
        let base = directory(bucket)
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var found: [BlobInfo] = []
        while let relative = walker.nextObject() as? String {
            guard relative.hasPrefix(prefix), !(relative as NSString).lastPathComponent.hasPrefix(".tmp-") else { continue }
            if let info = try? await head(bucket, key: relative) { found.append(info) }
        }
        return found.sorted { $0.key < $1.key }
    }

    package func deleteExpired(_ bucket: Bucket, olderThan date: Date) async throws(SwitchyardError) -> Int {
        var count = 0
        for info in try await list(bucket, prefix: "") where info.modifiedAt < date {
            try await delete(bucket, key: info.key)
            count += 1
        }
        return count
    }
}
