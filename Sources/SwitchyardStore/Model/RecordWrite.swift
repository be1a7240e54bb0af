import SwitchyardCore

/// One write in an atomic batch (``RecordStore/apply(_:)``).
package enum RecordWrite: Sendable {
    /// Creates a record.
    case insert(NewRecord, scope: StoreScope)
    /// Changes a record the scope owns.
    case update(
        RecordKind, id: String, scope: StoreScope, expectedRevision: Int64?,
        change: @Sendable (inout Record) throws(SwitchyardError) -> Void
    )
    /// Deletes a record the scope owns.
    case delete(RecordKind, id: String, scope: StoreScope)
    /// Enqueues a job, so it commits (or not) with the batch's record changes. Its result is `nil`.
    case enqueue(NewJob, limits: JobLimitSettings?)
}
