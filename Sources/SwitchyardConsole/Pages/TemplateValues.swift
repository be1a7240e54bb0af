/// Template values without empty text: a mustache section (`{{#x}}`) renders for any value that
/// is not `nil` or `false`, an empty string included, so the pages drop empty strings before
/// rendering and `{{#x}}` then means "x has something to show".
enum TemplateValues {
    /// The values with every empty string removed, in nested dictionaries and lists too.
    static func compact(_ values: [String: Any]) -> [String: Any] {
        var result: [String: Any] = [:]
        for (name, value) in values {
            if let kept = compact(value) { result[name] = kept }
        }
        return result
    }

    private static func compact(_ value: Any) -> Any? {
        switch value {
        case let text as String: return text.isEmpty ? nil : text
        case let object as [String: Any]: return compact(object)
        case let list as [[String: Any]]: return list.map { compact($0) }
        case let list as [Any]: return list.compactMap { compact($0) }
        default: return value
        }
    }
}
