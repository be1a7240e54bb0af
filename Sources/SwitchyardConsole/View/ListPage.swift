import Foundation
import SwitchyardCore

/// Paging and search for list pages: the API's `limit` and `cursor`, and a `q` search the
/// page passes on as the API's `search`.
struct ListPage: Sendable {
    /// How many rows a list page shows.
    static let pageSize = 50

    /// The search text (`q`).
    var search: String
    /// The cursor of this page (`cursor`).
    var cursor: String

    /// Reads the paging and search of a page request.
    init(_ page: PageRequest) {
        search = page.query("q").trimmingCharacters(in: .whitespaces)
        cursor = page.query("cursor")
    }

    /// The API query for this page, with the page's own filters.
    func query(_ filters: [String: String] = [:]) -> [String: String] {
        var query = filters
        query["limit"] = String(Self.pageSize)
        if !cursor.isEmpty { query["cursor"] = cursor }
        if !search.isEmpty { query["search"] = search }
        return query
    }

    /// The link to the next page, keeping the search and filters, or `nil` on the last page.
    static func next(_ answer: JSONValue, path: String, page: PageRequest, keep: [String] = ["q"]) -> String? {
        guard let cursor = answer["cursor"]?.stringValue, !cursor.isEmpty else { return nil }
        var pairs: [(name: String, value: String)] = keep.compactMap { name in
            let value = page.query(name)
            return value.isEmpty ? nil : (name, value)
        }
        pairs.append(("cursor", cursor))
        return page.console.settings.url(path) + "?" + FormURLEncoding.encode(pairs)
    }

    /// The answer's items as template values.
    static func items(_ answer: JSONValue, _ each: (JSONValue, inout [String: Any]) -> Void = { _, _ in }) -> [[String: Any]] {
        (answer["items"]?.arrayValue ?? []).map { item in
            var values = ViewValue.of(item) as? [String: Any] ?? [:]
            each(item, &values)
            return values
        }
    }
}
