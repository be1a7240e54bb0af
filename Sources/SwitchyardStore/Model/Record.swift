import Foundation
import SwitchyardCore

/// One stored entity.
package struct Record: Sendable, Equatable {
    /// The kind (table).
    package var kind: RecordKind
    /// A unique id.
    package var id: String
    /// The owning workspace.
    package var workspaceID: String
    /// The owning tenant; `nil` for workspace-level rows.
    package var tenantID: String?
    /// A unique key within the workspace and tenant, when the kind has keys.
    package var key: String?
    /// The parent row (element layers, connector versions).
    package var parentID: String?
    /// When it was created, in microseconds since the epoch.
    package var createdAt: Int64
    /// When it last changed, in microseconds since the epoch.
    package var updatedAt: Int64
    /// When it was archived, if it was.
    package var archivedAt: Int64?
    /// Incremented by every update; used for optimistic concurrency.
    package var revision: Int64
    /// Everything else.
    package var document: JSONValue
    /// Credentials, parameters or secrets: stored only as AES-256-GCM ciphertext.
    package var secret: JSONValue?
}

/// What a caller supplies to create a record.
package struct NewRecord: Sendable, Equatable {
    /// The kind.
    package var kind: RecordKind
    /// An id; generated when `nil`.
    package var id: String?
    /// The owning tenant; must equal the scope's tenant for tenant scopes.
    package var tenantID: String?
    /// The unique key, if any.
    package var key: String?
    /// The parent, if any.
    package var parentID: String?
    /// The document.
    package var document: JSONValue
    /// The secret part, if any.
    package var secret: JSONValue?

    /// Creates a new record description.
    package init(kind: RecordKind, id: String? = nil, tenantID: String? = nil, key: String? = nil, parentID: String? = nil, document: JSONValue = [:], secret: JSONValue? = nil) {
        self.kind = kind
        self.id = id
        self.tenantID = tenantID
        self.key = key
        self.parentID = parentID
        self.document = document
        self.secret = secret
    }
}

/// Which rows a list returns.
package struct RecordFilter: Sendable, Equatable {
    /// Only rows with this key.
    package var key: String?
    /// Only rows with this parent.
    package var parentID: String?
    /// Only rows of this tenant (within what the scope allows).
    package var tenantID: String?
    /// Include archived rows.
    package var includeArchived: Bool
    /// Only rows whose document has these top-level string fields (`nil`: the field is absent
    /// or null). Names are identifiers chosen by code (letters and digits), never by clients.
    package var documentFields: [String: String?]
    /// Only rows whose key, or one of ``searchFields``, contains this text (case-insensitive).
    package var search: String?
    /// The top-level document fields ``search`` also looks in (identifiers chosen by code).
    package var searchFields: [String]
    /// Newest first instead of oldest first.
    package var newestFirst: Bool

    /// Creates a filter.
    package init(
        key: String? = nil, parentID: String? = nil, tenantID: String? = nil, includeArchived: Bool = false, documentFields: [String: String?] = [:],
        search: String? = nil, searchFields: [String] = [], newestFirst: Bool = false
    ) {
        self.key = key
        self.parentID = parentID
        self.tenantID = tenantID
        self.includeArchived = includeArchived
        self.documentFields = documentFields
        self.search = search
        self.searchFields = searchFields
        self.newestFirst = newestFirst
    }
}

/// One page of a list.
package struct Page: Sendable, Equatable {
    /// The rows, oldest first.
    package var items: [Record]
    /// The cursor of the next page; `nil` on the last page.
    package var cursor: String?
}

/// Time in microseconds since the epoch, as stored.
package enum StoreClock {
    /// Now.
    package static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }
}
