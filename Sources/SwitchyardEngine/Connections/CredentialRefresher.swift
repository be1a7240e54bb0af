import Foundation
import Logging
import SwitchyardCore
import SwitchyardStore
import Synchronization

/// Refreshes a connection's credentials so that, across every process, at most one refresh per
/// connection is in flight: requests in one process share one refresh (single flight), and
/// processes share a lease row in the database (`connection-refresh:<id>`). Whoever does not
/// hold the lease waits for the connection's `credentialsRevision` to move past the one it
/// saw, then uses the new credentials.
///
/// A refresh that fails for a passing reason (network, 5xx, 429) leaves the connection and
/// its stored refresh token untouched and is reported as `unavailable`; a definitive refusal
/// (`invalid_grant`, …) marks the connection disconnected with the reason. Nothing here ever
/// deletes a connection.
package final class CredentialRefresher: Sendable {
    /// How one refresh against the provider ended.
    package enum Outcome: Sendable, Equatable {
        /// New credentials (the whole object to store) and when they expire.
        case credentials(JSONValue, expiresAt: Double?)
        /// A definitive refusal (`invalid_grant`, …): the connection needs to be connected again.
        case refused(error: String, description: String?)
        /// A passing failure (network, 5xx, 429): try again later.
        case transient(String)

        /// The outcome of an OAuth 2.0 token request.
        package init(_ outcome: OAuth2TokenResponse.Outcome) {
            switch outcome {
            case .credentials(let value): self = .credentials(value.json, expiresAt: value.expiresAt)
            case .refused(let error, let description): self = .refused(error: error, description: description)
            case .transient(let message): self = .transient(message)
            }
        }
    }

    /// Performs one refresh against the provider with the connection's current state.
    package typealias Refresh = @Sendable (Record) async -> Outcome

    private let records: any RecordStore
    private let jobs: any JobStore
    private let vault: CredentialVault
    private let disconnected: @Sendable (Record) async -> Void
    private let holder: String
    private let refresh: Refresh
    private let lease: Duration
    private let waitLimit: Duration
    private let logger: Logger
    private let inFlight = Mutex<[String: Task<Result<Record, SwitchyardError>, Never>]>([:])

    /// Creates a refresher.
    /// - Parameters:
    ///   - holder: This process's name in lease rows.
    ///   - lease: How long a refresher may hold a connection's lease (a crashed one frees it then).
    ///   - waitLimit: How long a request waits for someone else's refresh before giving up.
    package init(
        records: any RecordStore, jobs: any JobStore, vault: CredentialVault, holder: String, lease: Duration = .seconds(30),
        waitLimit: Duration = .seconds(45), logger: Logger,
        disconnected: @escaping @Sendable (Record) async -> Void = { _ in }, refresh: @escaping Refresh
    ) {
        self.records = records
        self.jobs = jobs
        self.vault = vault
        self.disconnected = disconnected
        self.holder = holder
        self.refresh = refresh
        self.lease = lease
        self.waitLimit = waitLimit
        self.logger = logger
    }

    /// The connection with credentials newer than `observedRevision`, refreshing them unless
    /// another request or process already has.
    /// - Throws: `unavailable` for a passing failure, `connection_disconnected`-style
    ///   `access_denied` when the provider refused the refresh (the connection is then
    ///   disconnected), `not_found` when the connection is gone.
    package func refreshed(_ connectionID: String, scope: StoreScope, observedRevision: Int64) async throws(SwitchyardError) -> Record {
        let task = inFlight.withLock { tasks -> Task<Result<Record, SwitchyardError>, Never> in
            if let running = tasks[connectionID] { return running }
            let task = Task { () -> Result<Record, SwitchyardError> in
                defer { _ = self.inFlight.withLock { $0.removeValue(forKey: connectionID) } }
                do throws(SwitchyardError) {
                    return .success(try await self.coordinate(connectionID, scope: scope, observedRevision: observedRevision))
                } catch {
                    return .failure(error)
                }
            }
            tasks[connectionID] = task
            return task
        }
        let record = try await task.value.get()
        // A refresh that started before this caller's observation may have ended with the
        // revision it saw; then it needs a refresh of its own.
        if Self.revision(record) <= observedRevision { return try await refreshed(connectionID, scope: scope, observedRevision: observedRevision) }
        return record
    }

    /// The credentials revision a connection record carries.
    package static func revision(_ record: Record) -> Int64 {
        record.connectionDocument.credentialsRevision
    }

    private func coordinate(_ id: String, scope: StoreScope, observedRevision: Int64) async throws(SwitchyardError) -> Record {
        let name = "connection-refresh:\(id)"
        let deadline = ContinuousClock.now + waitLimit
        while true {
            let current = try await records.get(.connections, id: id, scope: scope)
            if Self.revision(current) > observedRevision { return current }
            if current.connectionDocument.isDisconnected { throw Self.disconnected(current) }
            if try await jobs.acquireLease(name, holder: holder, ttl: lease) {
                do {
                    let result = try await refreshHoldingLease(id, scope: scope, observedRevision: observedRevision)
                    try? await jobs.releaseLease(name, holder: holder)
                    return result
                } catch {
                    try? await jobs.releaseLease(name, holder: holder)
                    throw error
                }
            }
            guard ContinuousClock.now < deadline else {
                throw SwitchyardError(.unavailable, "another process is refreshing this connection's credentials and has not finished; try again")
            }
            try? await Task.sleep(for: .milliseconds(25))
            if Task.isCancelled { throw SwitchyardError(.unavailable, "the request was cancelled while waiting for a credentials refresh") }
        }
    }

    private func refreshHoldingLease(_ id: String, scope: StoreScope, observedRevision: Int64) async throws(SwitchyardError) -> Record {
        // Read again under the lease: a refresh that ended just before it was taken counts.
        let current = try await records.get(.connections, id: id, scope: scope)
        if Self.revision(current) > observedRevision { return current }
        let outcome = await refresh(current)
        switch outcome {
        case .credentials(let credentials, let expiresAt):
            logger.info("refreshed connection credentials", metadata: ["connection": "\(id)"])
            let revision = Self.revision(current) + 1
            // Their lifetime (obtained → expires) sets how early they count as expiring soon.
            let credentials = OAuth2Credentials.stamped(credentials, expiresAt: expiresAt, now: Date().timeIntervalSince1970)
            let stored = try await vault.write(
                credentials, connectionID: id, workspaceID: current.workspaceID, tenantID: current.tenantID, revision: revision)
            let updated = try await records.update(.connections, id: id, scope: scope, expectedRevision: current.revision) { record in
                var secret = record.secret?.objectValue ?? [:]
                secret["credentials"] = stored
                record.secret = .object(secret)
                var document = record.connectionDocument
                document.markConnected(revision: revision, expiresAt: expiresAt)
                document.lastRefreshError = nil
                record.connectionDocument = document
            }
            await Self.scheduleRefresh(updated, jobs: jobs, logger: logger)
            return updated
        case .refused(let error, let description):
            let reason = "the provider refused to refresh the credentials: \(error)" + (description.map { " (\($0))" } ?? "")
            logger.warning("connection disconnected: credentials refresh refused", metadata: ["connection": "\(id)", "error": "\(error)"])
            let updated = try await records.update(.connections, id: id, scope: scope, expectedRevision: nil) { record in
                record.connectionDocument.markDisconnected(reason: reason)
            }
            await disconnected(updated)
            throw Self.disconnected(updated)
        case .transient(let message):
            logger.warning("credentials refresh failed; will retry", metadata: ["connection": "\(id)", "error": "\(message)"])
            throw SwitchyardError(
                .unavailable, "refreshing the connection's credentials failed for now (\(message)); the connection stays connected, retry later")
        }
    }

    /// The job kind of a refresh scheduled ahead of expiry.
    package static let refreshJobKind = "connections.refresh-credentials"

    /// Schedules the refresh of credentials that expire: a job on the instant queue, due a
    /// fifth of their lifetime (at most 5 minutes) before they do. Its unique key names the
    /// credentials revision, so each revision gets one, and a job whose revision has moved on
    /// does nothing. Best effort: a request that finds the token expired refreshes it anyway.
    static func scheduleRefresh(_ connection: Record, jobs: any JobStore, logger: Logger) async {
        guard let expiresAt = connection.connectionDocument.credentialsExpiresAt else { return }
        let now = Date().timeIntervalSince1970
        let lead = min(300, max(expiresAt - now, 0) / 5)
        let revision = revision(connection)
        let job = NewJob(
            kind: refreshJobKind, queue: .instant,
            args: [
                "connectionId": .string(connection.id), "workspaceId": .string(connection.workspaceID),
                "tenantId": .string(connection.tenantID ?? ""), "revision": .number(Double(revision)),
            ],
            maxAttempts: 10, workspaceID: connection.workspaceID, tenantID: connection.tenantID, connectionID: connection.id,
            uniqueKey: "connection-refresh:\(connection.id):\(revision)", scheduledAt: Int64((expiresAt - lead) * 1_000_000)
        )
        do {
            _ = try await jobs.enqueue([job], limits: nil)
        } catch {
            logger.warning("could not schedule the credentials refresh", metadata: ["connection": "\(connection.id)", "error": "\(error.message)"])
        }
    }

    static func disconnected(_ record: Record) -> SwitchyardError {
        let reason = record.connectionDocument.disconnectedReason ?? "it needs to be connected again"
        return SwitchyardError(
            .accessDenied, "connection \(record.id) is disconnected: \(reason); reconnect it through /connect?connectionId=\(record.id)",
            data: ["state": "disconnected"])
    }
}
