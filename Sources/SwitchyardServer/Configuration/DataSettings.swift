import SwitchyardCore
import Foundation
import SwitchyardStore

/// Where state lives: the data directory, the database and object storage.
package struct DataSettings: Sendable, Equatable {
    /// Directory for the embedded database, blobs and generated secrets (`DATA_DIR`).
    package var dataDirectory: String
    /// The database (`DATABASE_URL`, default SQLite in `DATA_DIR`).
    package var database: DatabaseLocation
    /// Largest PostgreSQL pool per process (`DATABASE_MAX_POOL_SIZE`).
    package var maxPoolSize: Int
    /// Connections kept open when idle (`DATABASE_MIN_POOL_SIZE`).
    package var minPoolSize: Int
    /// Idle time before a pooled connection closes (`DATABASE_MAX_IDLE_TIME_MS`).
    package var maxIdleTime: Duration
    /// Time allowed to open one connection (`DATABASE_CONNECT_TIMEOUT_MS`).
    package var connectTimeout: Duration
    /// Object storage provider (`STORAGE_PROVIDER`: `fs` or `s3`).
    package var storageProvider: String
    /// Bucket names: temporary files, connector packages, static files.
    package var tmpBucket: String, connectorsBucket: String, staticBucket: String

    /// Reads the settings.
    /// - Parameter env: The environment reader; problems are recorded there.
    package init(env: inout EnvironmentReader) {
        dataDirectory = env.string("DATA_DIR")?.trimmingCharacters(in: .whitespaces) ?? "./switchyard-data"
        let defaultDatabase = DatabaseLocation.sqlite(path: dataDirectory + "/switchyard.sqlite")
        if let raw = env.string("DATABASE_URL") {
            do {
                database = try DatabaseLocation.parse(raw)
            } catch {
                env.report("DATABASE_URL", error.message)
                database = defaultDatabase
            }
        } else {
            database = defaultDatabase
        }
        maxPoolSize = env.int("DATABASE_MAX_POOL_SIZE", default: 20, in: 1...1000)
        minPoolSize = env.int("DATABASE_MIN_POOL_SIZE", default: 0, in: 0...1000)
        if minPoolSize > maxPoolSize {
            env.report("DATABASE_MIN_POOL_SIZE", "\(minPoolSize) is larger than DATABASE_MAX_POOL_SIZE (\(maxPoolSize))")
        }
        maxIdleTime = .milliseconds(env.int("DATABASE_MAX_IDLE_TIME_MS", default: 10_000, in: 0...86_400_000))
        connectTimeout = .milliseconds(env.int("DATABASE_CONNECT_TIMEOUT_MS", default: 10_000, in: 1...600_000))
        storageProvider = env.choice("STORAGE_PROVIDER", ["fs", "s3"], default: "fs")
        if storageProvider == "s3" {
            env.report("STORAGE_PROVIDER", "s3 is not available in this release yet; use fs (files under DATA_DIR/blobs)")
        }
        tmpBucket = Self.bucket(&env, "TMP_STORAGE_BUCKET", legacy: "TMP_S3_BUCKET", default: "tmp")
        connectorsBucket = Self.bucket(&env, "CONNECTORS_STORAGE_BUCKET", legacy: "CONNECTORS_S3_BUCKET", default: "connectors")
        staticBucket = Self.bucket(&env, "STATIC_STORAGE_BUCKET", legacy: "STATIC_S3_BUCKET", default: "static")
    }

    /// Reads a bucket name, accepting the seed's older `*_S3_BUCKET` spelling.
    private static func bucket(_ env: inout EnvironmentReader, _ name: String, legacy: String, default value: String) -> String {
        let raw = env.string(name) ?? env.string(legacy) ?? value
        let valid = (1...63).contains(raw.count)
            && raw.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." }
            && !raw.hasPrefix(".") && !raw.contains("..")
        if !valid {
            env.report(name, "'\(raw)' is not a valid bucket name (1-63 of a-z, 0-9, '-', '.')")
            return value
        }
        return raw
    }
}
