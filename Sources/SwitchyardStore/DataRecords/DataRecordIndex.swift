import SwitchyardCore

/// One record of a pull, as the index keeps it: its id and a hash of its fields.
package struct IndexedRecord: Sendable, Equatable {
    /// The record's id in the external app.
    package var id: String
    /// A hash of the record's fields (see ``DataRecordHash``).
    package var hash: Int64

    /// Creates an entry.
    package init(id: String, hash: Int64) {
        self.id = id
        self.hash = hash
    }
}

/// What a pulled record is to the index.
package enum IndexedChange: Sendable, Equatable {
    /// Not seen before.
    case created
    /// Seen with other fields.
    case updated
    /// Seen with the same fields.
    case unchanged
}

extension IndexedChange {
    /// What each record is, given the hashes the index holds for the ids it knows.
    static func of(_ records: [IndexedRecord], known: [String: Int64]) -> [IndexedChange] {
        records.map { record in
            guard let hash = known[record.id] else { return .created }
            return hash == record.hash ? .unchanged : .updated
        }
    }
}

/// The ids and hashes of the records each data source instance has seen — never the records
/// themselves — so pulls tell created from updated from unchanged, and full scans find the
/// records that are gone by what they did not see. A scan marks every record it reads with its
/// scan id; records it did not mark and nobody wrote since it started are the deleted ones.
package protocol DataRecordIndex: Sendable {
    /// What each record is to the index (read only).
    /// - Parameter source: The data source instance's id.
    /// - Returns: One change per record, in order.
    func compare(_ records: [IndexedRecord], source: String) async throws(SwitchyardError) -> [IndexedChange]
    /// Stores records (ids unique within the call): new ones are inserted, changed hashes are
    /// replaced and stamped `now`, and with a `scanID` every one is marked as seen by that scan.
    func store(_ records: [IndexedRecord], source: String, workspaceID: String, scanID: String?, now: Int64) async throws(SwitchyardError)
    /// Up to `limit` ids (in id order, after `after`) that scan `scanID` did not see and that
    /// were not written since `since`: the records a complete scan finds deleted.
    func unseen(source: String, scanID: String, since: Int64, after: String?, limit: Int) async throws(SwitchyardError) -> [String]
    /// Marks records as seen by a scan without changing what the index knows of them (records the
    /// scan read but could not use: they exist, so they are not deleted).
    func mark(_ ids: [String], source: String, scanID: String) async throws(SwitchyardError)
    /// Forgets records (deleted at the source).
    func remove(_ ids: [String], source: String) async throws(SwitchyardError)
    /// Forgets every record of a source (its instance was archived).
    func removeAll(source: String) async throws(SwitchyardError)
    /// How many records the index holds for a source.
    func count(source: String) async throws(SwitchyardError) -> Int
}

/// The hash the index keeps of a record's fields: 64-bit FNV-1a over its compact JSON with
/// sorted keys, so equal fields hash equal whatever order the API sent them in.
package enum DataRecordHash {
    /// The hash of a value.
    package static func of(_ value: JSONValue) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in value.jsonBytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
