import Logging
import ServiceLifecycle
import SwitchyardCore
import SwitchyardStore

/// Keeps the store's connection pool running for the life of the process.
struct StoreService: Service {
    let store: OpenStore

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await store.run()
        }
        // SQLite has no pool to run: stay until shutdown, or the group would take the early
        // return for a failure.
        try? await gracefulShutdown()
    }
}

extension OpenStore {
    /// Opens the configured store.
    /// - Parameters:
    ///   - configuration: The process configuration.
    ///   - secrets: The secrets in effect (encryption keys, cursor signing).
    ///   - logger: Where the pool logs.
    static func open(_ configuration: SwitchyardConfiguration, secrets: ResolvedSecrets, logger: Logger, listensForJobs: Bool = true) throws(SwitchyardError) -> OpenStore {
        let data = configuration.data
        var pool = PostgresRecordStore.PoolSettings(
            maxConnections: data.maxPoolSize, minConnections: data.minPoolSize, idleTimeout: data.maxIdleTime, connectTimeout: data.connectTimeout
        )
        pool.listensForJobs = listensForJobs
        return try OpenStore.open(
            data.database,
            pool: pool,
            keys: KeyRing(secret: secrets.encryptionSecret, previous: secrets.previousEncryptionSecrets),
            cursors: PageCursor(secret: secrets.secret),
            logger: logger
        )
    }
}
