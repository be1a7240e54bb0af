import Foundation
import SwitchyardCore
import SwitchyardStore

/// How records appear in responses: the document's fields plus the record's own.
enum RecordJSON {
    static func object(_ record: Record, extra: [String: JSONValue] = [:]) -> JSONValue {
        var members: [String: JSONValue] = [:]
        if case .object(let document) = record.document { members = document }
        members["id"] = .string(record.id)
        if let key = record.key { members["key"] = .string(key) }
        members["createdAt"] = .string(timestamp(record.createdAt))
        members["updatedAt"] = .string(timestamp(record.updatedAt))
        if let archived = record.archivedAt { members["archivedAt"] = .string(timestamp(archived)) }
        for (name, value) in extra { members[name] = value }
        return .object(members)
    }

    static func list(_ page: Page, _ item: (Record) -> JSONValue) -> JSONValue {
        var members: [String: JSONValue] = ["items": .array(page.items.map(item))]
        if let cursor = page.cursor { members["cursor"] = .string(cursor) }
        return .object(members)
    }

    static func timestamp(_ microseconds: Int64) -> String {
        ISO8601Time.string(microseconds: microseconds)
    }

    /// The schema shared by every record response.
    static func schema(_ properties: [String: JSONValue]) -> JSONValue {
        var all: [String: JSONValue] = [
            "id": ["type": "string"], "key": ["type": "string"], "createdAt": ["type": "string", "format": "date-time"],
            "updatedAt": ["type": "string", "format": "date-time"], "archivedAt": ["type": "string", "format": "date-time"],
        ]
        for (name, value) in properties { all[name] = value }
        return ["type": "object", "required": ["id", "createdAt", "updatedAt"], "properties": .object(all)]
    }

    static func listSchema(_ item: JSONValue) -> JSONValue {
        ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": item], "cursor": ["type": "string"]]]
    }
}

extension RecordStore {
    /// Inserts a keyed record, turning a duplicate key into a 409 that names it.
    func insertKeyed(_ record: NewRecord, scope: StoreScope, what: String) async throws(SwitchyardError) -> Record {
        do {
            return try await insert(record, scope: scope)
        } catch where error.key == .alreadyExists {
            let key = record.key ?? ""
            throw SwitchyardError(.alreadyExists, "\(what) with key \(key) already exists", data: ["key": "already exists"])
        }
    }
}
