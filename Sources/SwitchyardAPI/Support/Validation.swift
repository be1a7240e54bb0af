import SwitchyardCore
import SwitchyardStore

/// Reads a JSON request body field by field, collecting every problem so the client learns
/// all of them at once (`data` maps each field to what is wrong with it).
struct BodyReader {
    private let members: [String: JSONValue]
    private(set) var problems: [String: String] = [:]

    init(_ body: JSONValue?, allowed: Set<String>) throws(SwitchyardError) {
        guard let body else { throw SwitchyardError(.badRequest, "a JSON object body is required") }
        guard case .object(let members) = body else { throw SwitchyardError(.badRequest, "the body must be a JSON object") }
        self.members = members
        for name in members.keys.sorted() where !allowed.contains(name) { problems[name] = "is not a known field" }
        for (name, value) in members where Self.containsNUL(value) || name.unicodeScalars.contains("\u{0}") {
            problems[name] = "must not contain the NUL character (U+0000)"
        }
    }

    /// PostgreSQL cannot store U+0000 in text or JSON; refuse it at the edge with a clear error.
    static func containsNUL(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.unicodeScalars.contains("\u{0}")
        case .array(let items): items.contains(where: containsNUL)
        case .object(let members): members.contains { $0.key.unicodeScalars.contains("\u{0}") || containsNUL($0.value) }
        default: false
        }
    }

    mutating func string(_ name: String, required: Bool = false, maxLength: Int = 200) -> String? {
        switch members[name] {
        case nil:
            if required { problems[name] = "is required" }
            return nil
        case .string(let value)?:
            // Counted in Unicode scalars, as JSON Schema's maxLength counts.
            if value.isEmpty || value.unicodeScalars.count > maxLength {
                problems[name] = "must be 1 to \(maxLength) characters"
                return nil
            }
            return value
        default:
            problems[name] = "must be a string"
            return nil
        }
    }

    mutating func object(_ name: String) -> JSONValue? {
        switch members[name] {
        case nil: return nil
        case .object?: return members[name]
        default:
            problems[name] = "must be an object"
            return nil
        }
    }

    /// The raw value of a field.
    func members(_ name: String) -> JSONValue? { members[name] }

    /// Throws `bad_request` listing every problem, if there are any.
    func finish() throws(SwitchyardError) {
        guard !problems.isEmpty else { return }
        let text = problems.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; ")
        throw SwitchyardError(.badRequest, "invalid request: \(text)", data: problems)
    }
}

/// List paging parameters.
struct ListQuery {
    var limit: Int
    var cursor: String?
    var includeArchived: Bool
    /// `order=newest`: newest first (the default is oldest first).
    var newestFirst = false
    /// `search`: a case-insensitive substring, for lists that take one.
    var search: String?

    init(_ query: [String: String]) throws(SwitchyardError) {
        if let text = query["limit"] {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw SwitchyardError(.badRequest, "limit must be a whole number from 1 to 1000, got \(text)", data: ["limit": "must be 1 to 1000"])
            }
            limit = value
        } else {
            limit = 100
        }
        cursor = query["cursor"].flatMap { $0.isEmpty ? nil : $0 }
        switch query["includeArchived"] {
        case nil, "false"?: includeArchived = false
        case "true"?: includeArchived = true
        case let other?:
            throw SwitchyardError(
                .badRequest, "includeArchived must be true or false, got \(other)", data: ["includeArchived": "must be true or false"])
        }
        switch query["order"] {
        case nil, "oldest"?: newestFirst = false
        case "newest"?: newestFirst = true
        case let other?:
            throw SwitchyardError(.badRequest, "order must be oldest or newest, got \(other)", data: ["order": "must be oldest or newest"])
        }
        if let text = query["search"], !text.isEmpty {
            guard text.unicodeScalars.count <= 200, !text.unicodeScalars.contains("\u{0}") else {
                throw SwitchyardError(.badRequest, "search must be at most 200 characters, without U+0000", data: ["search": "is too long"])
            }
            search = text
        }
    }

    /// A filter with this query's archive, order and search choices.
    func filter(_ base: RecordFilter = RecordFilter(), searchFields: [String] = []) -> RecordFilter {
        var filter = base
        filter.includeArchived = includeArchived
        filter.newestFirst = newestFirst
        filter.search = search
        filter.searchFields = searchFields
        return filter
    }
}

extension BodyReader {
    /// Records a problem found by a check of the caller's own.
    mutating func reject(_ name: String, _ problem: String) {
        problems[name] = problem
    }
}

extension BodyReader {
    /// A boolean field.
    mutating func bool(_ name: String) -> Bool? {
        switch members(name) {
        case nil: return nil
        case .bool(let value)?: return value
        default:
            reject(name, "must be true or false")
            return nil
        }
    }
}
