import SwitchyardCore

/// The one store API. Every operation is scoped; both backends pass one conformance suite.
package protocol RecordStore: Sendable {
    /// Creates a record.
    /// - Throws: `already_exists` for a duplicate id or live key, `access_denied` when a tenant
    ///   scope creates another tenant's or a shared row.
    func insert(_ record: NewRecord, scope: StoreScope) async throws(SwitchyardError) -> Record
    /// Reads a record visible to the scope.
    /// - Throws: `not_found` when it does not exist or the scope may not see it.
    func get(_ kind: RecordKind, id: String, scope: StoreScope) async throws(SwitchyardError) -> Record
    /// Lists records visible to the scope, oldest first, by keyset pages.
    /// - Throws: `bad_request` for a limit outside 1...1000 or a cursor that is not ours.
    func list(_ kind: RecordKind, scope: StoreScope, filter: RecordFilter, limit: Int, cursor: String?) async throws(SwitchyardError) -> Page
    /// Changes a record the scope owns; the closure sees the current record.
    /// - Throws: `not_found`, or `conflict` when `expectedRevision` is given and differs.
    func update(
        _ kind: RecordKind, id: String, scope: StoreScope, expectedRevision: Int64?,
        _ change: @escaping @Sendable (inout Record) throws(SwitchyardError) -> Void
    ) async throws(SwitchyardError) -> Record
    /// Archives a record the scope owns (it stays, hidden from default lists; its key is freed).
    func archive(_ kind: RecordKind, id: String, scope: StoreScope) async throws(SwitchyardError) -> Record
    /// Deletes a record the scope owns.
    func delete(_ kind: RecordKind, id: String, scope: StoreScope) async throws(SwitchyardError)
    /// Applies several writes in one transaction: all of them, or (when any fails) none.
    /// - Returns: For each write, the record it produced (`nil` for deletes).
    /// - Throws: The first write's failure; nothing has been changed then.
    func apply(_ writes: [RecordWrite]) async throws(SwitchyardError) -> [Record?]
    /// Creates a record and enqueues a job, together or not at all (a flow run and the job that
    /// runs it), with no queue limits to check.
    /// - Throws: As ``insert(_:scope:)`` and ``JobStore/enqueue(_:limits:)`` do; nothing has
    ///   been changed then.
    func insert(_ record: NewRecord, scope: StoreScope, enqueueing job: NewJob) async throws(SwitchyardError) -> Record
    /// Makes a conditional patch of one record's document, in one transaction with inserts of
    /// new records in the patch's scope (written first).
    /// - Throws: `not_found` when the record does not exist or the scope may not write it; the
    ///   inserts' failures. Nothing has been changed then.
    func patch(_ patch: RecordPatch, inserting: [NewRecord]) async throws(SwitchyardError) -> PatchedRecord
    /// Appends log records (ids given, no keys or secrets) — many in one statement where the
    /// backend can — skipping those whose id exists already (a log written again after a crash).
    /// - Returns: How many were new.
    /// - Throws: `access_denied` when a tenant scope appends another tenant's records.
    func append(_ records: [NewRecord], scope: StoreScope) async throws(SwitchyardError) -> Int
    /// Re-encrypts up to `batchSize` secrets of a kind not yet under the current key.
    /// - Returns: How many were re-encrypted; 0 when the kind is done.
    func reencryptSecrets(_ kind: RecordKind, batchSize: Int) async throws(SwitchyardError) -> Int
    /// Deletes up to `limit` records of a kind created before a time (log retention).
    /// - Returns: How many were deleted.
    func purge(_ kind: RecordKind, createdBefore: Int64, limit: Int) async throws(SwitchyardError) -> Int
    /// How many records of a kind the scope can read were created in each of `buckets`
    /// consecutive intervals of `interval` microseconds from `since`, counted by the database.
    /// - Returns: One count per interval, oldest first.
    /// - Throws: `bad_request` for an interval that is not positive or buckets outside 1...1440.
    func createdCounts(_ kind: RecordKind, scope: StoreScope, since: Int64, interval: Int64, buckets: Int) async throws(SwitchyardError) -> [Int]
}

/// Single writes are batches of one, the same on every backend.
extension RecordStore {
    package func insert(_ record: NewRecord, scope: StoreScope) async throws(SwitchyardError) -> Record {
        try await apply([.insert(record, scope: scope)])[0]!
    }

    package func update(
        _ kind: RecordKind, id: String, scope: StoreScope, expectedRevision: Int64?,
        _ change: @escaping @Sendable (inout Record) throws(SwitchyardError) -> Void
    ) async throws(SwitchyardError) -> Record {
        try await apply([.update(kind, id: id, scope: scope, expectedRevision: expectedRevision, change: change)])[0]!
    }

    package func insert(_ record: NewRecord, scope: StoreScope, enqueueing job: NewJob) async throws(SwitchyardError) -> Record {
        try await apply([.insert(record, scope: scope), .enqueue(job, limits: nil)])[0]!
    }

    package func archive(_ kind: RecordKind, id: String, scope: StoreScope) async throws(SwitchyardError) -> Record {
        try await update(kind, id: id, scope: scope, expectedRevision: nil) { record in
            if record.archivedAt == nil { record.archivedAt = StoreClock.now() }
        }
    }

    package func delete(_ kind: RecordKind, id: String, scope: StoreScope) async throws(SwitchyardError) {
        _ = try await apply([.delete(kind, id: id, scope: scope)])
    }
}

/// Appends, one insert at a time where a backend has nothing better.
extension RecordStore {
    package func append(_ records: [NewRecord], scope: StoreScope) async throws(SwitchyardError) -> Int {
        try await appendOneByOne(records, scope: scope)
    }

    /// ``append(_:scope:)`` one insert at a time, for records a bulk statement cannot take.
    package func appendOneByOne(_ records: [NewRecord], scope: StoreScope) async throws(SwitchyardError) -> Int {
        var inserted = 0
        for record in records {
            do {
                _ = try await insert(record, scope: scope)
                inserted += 1
            } catch where error.key == .alreadyExists {}
        }
        return inserted
    }
}

/// Whole lists, page by page.
extension RecordStore {
    /// Every record a list with this filter returns, oldest first (read 1000 at a time).
    package func all(_ kind: RecordKind, scope: StoreScope, filter: RecordFilter) async throws(SwitchyardError) -> [Record] {
        var records: [Record] = []
        var cursor: String?
        repeat {
            let page = try await list(kind, scope: scope, filter: filter, limit: 1000, cursor: cursor)
            records += page.items
            cursor = page.cursor
        } while cursor != nil
        return records
    }
}
