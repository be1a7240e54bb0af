import SwitchyardCore
import Synchronization

/// A conditional change to top-level fields of one record's document, made in one step
/// (``RecordStore/patch(_:inserting:)``): the first case whose `when` fields all hold sets and
/// removes its fields; when none holds, the record stays as it is. Unlike an update with a
/// closure, the store can make it without reading the record first (one statement on
/// PostgreSQL, instead of a read and a write in a transaction).
package struct RecordPatch: Sendable {
    /// One condition and what it changes.
    package struct Case: Sendable {
        /// Top-level document fields and the scalar values they must have.
        package var when: [String: JSONValue]
        /// Top-level fields to set.
        package var set: [String: JSONValue]
        /// Top-level fields to remove.
        package var remove: [String]

        /// Creates a case.
        package init(when: [String: JSONValue], set: [String: JSONValue], remove: [String] = []) {
            self.when = when
            self.set = set
            self.remove = remove
        }

        /// Whether a document meets the condition.
        func holds(for document: JSONValue) -> Bool {
            when.allSatisfy { name, value in document[name] == value }
        }
    }

    /// The record's kind.
    package var kind: RecordKind
    /// The record's id.
    package var id: String
    /// A scope that may write the record.
    package var scope: StoreScope
    /// The cases, tried in order.
    package var cases: [Case]

    /// Creates a patch.
    package init(_ kind: RecordKind, id: String, scope: StoreScope, cases: [Case]) {
        self.kind = kind
        self.id = id
        self.scope = scope
        self.cases = cases
    }

    /// The first case that holds for a document, by index.
    func matching(_ document: JSONValue) -> Int? {
        cases.firstIndex { $0.holds(for: document) }
    }

    /// A document changed by a case.
    static func changed(_ document: JSONValue, by patchCase: Case) -> JSONValue {
        guard var members = document.objectValue else { return document }
        for name in patchCase.remove { members[name] = nil }
        for (name, value) in patchCase.set { members[name] = value }
        return .object(members)
    }
}

/// What a patch found and left.
package struct PatchedRecord: Sendable {
    /// The record as it was before the patch.
    package var before: Record
    /// The record as it is now (its document the same as `before`'s when no case held).
    package var record: Record
    /// The index of the case that was applied, or `nil` when none held.
    package var applied: Int?
}

extension RecordStore {
    /// Makes the patch as an update with a closure, in one transaction with the inserts (for
    /// stores without a way of their own; this one writes the record even when no case holds).
    package func patch(_ patch: RecordPatch, inserting: [NewRecord]) async throws(SwitchyardError) -> PatchedRecord {
        let seen = Mutex<(before: Record?, applied: Int?)>((nil, nil))
        let cases = patch.cases
        let results = try await apply(
            inserting.map { .insert($0, scope: patch.scope) } + [
                .update(patch.kind, id: patch.id, scope: patch.scope, expectedRevision: nil) { record in
                    let applied = patch.matching(record.document)
                    seen.withLock { $0 = (record, applied) }
                    if let applied { record.document = RecordPatch.changed(record.document, by: cases[applied]) }
                }
            ])
        let (before, applied) = seen.withLock { $0 }
        guard let after = results.last ?? nil, let before else {
            throw SwitchyardError(.internal, "patching \(patch.kind.rawValue) \(patch.id) returned nothing")
        }
        return PatchedRecord(before: before, record: after, applied: applied)
    }
}
