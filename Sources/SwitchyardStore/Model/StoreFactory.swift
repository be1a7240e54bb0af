import Logging
import SwitchyardCore

/// An open store: the record API, its migrator, and the work that must run while it is used
/// (the PostgreSQL connection pool; nothing for SQLite).
package struct OpenStore: Sendable {
    /// The record API.
    package let records: any RecordStore
    /// The job queue on the same database.
    package let jobs: any JobStore
    /// The schema migrator of the same database.
    package let migrator: any Migrator
    /// The index of records data source instances have seen, on the same database.
    package let dataRecords: any DataRecordIndex
    /// Runs until cancelled (PostgreSQL's pool), or returns at once (SQLite).
    package let run: @Sendable () async -> Void

    /// Opens the store at a location.
    /// - Parameters:
    ///   - location: From `DATABASE_URL`.
    ///   - pool: PostgreSQL pool settings.
    ///   - keys: Encrypts secrets.
    ///   - cursors: Signs page cursors.
    ///   - logger: Where the pool logs.
    package static func open(
        _ location: DatabaseLocation,
        pool: PostgresRecordStore.PoolSettings = .init(),
        keys: KeyRing,
        cursors: PageCursor,
        logger: Logger
    ) throws(SwitchyardError) -> OpenStore {
        switch location {
        case .sqlite(let path):
            let store = try SQLiteRecordStore(path: path, keys: keys, cursors: cursors)
            return OpenStore(records: store, jobs: store, migrator: store, dataRecords: store, run: {})
        case .postgres(let url):
            let store = try PostgresRecordStore(url: url, pool: pool, keys: keys, cursors: cursors, logger: logger)
            return OpenStore(records: store, jobs: store, migrator: store, dataRecords: store, run: { await store.run() })
        }
    }
}

extension OpenStore {
    /// Runs `body` while the store's pool runs; stops the pool afterwards.
    package func whileRunning<T: Sendable>(_ body: @Sendable (OpenStore) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await self.run()
                return nil
            }
            let result = try await body(self)
            group.cancelAll()
            return result
        }
    }
}
