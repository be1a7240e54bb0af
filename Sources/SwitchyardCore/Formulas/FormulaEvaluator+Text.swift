/// `$tpl` and `$concat`: strings built from the string forms of values (``FormulaText``).
extension FormulaEvaluator {
    /// `{"$tpl": {"template": "Hello {{name}}", "values": {"name": …}}}`. A placeholder is a key of
    /// `values` in double or single braces (`{{name}}`, `{name}`; spaces inside are ignored).
    /// Braces around anything that is not a key of `values` stay as written.
    mutating func template(_ operand: JSONValue, _ variables: JSONValue, at path: FormulaPath) throws(FormulaError) -> JSONValue {
        let settings = try fields(try evaluate(operand, variables, at: path), of: "$tpl", allowed: ["template", "values"], at: path)
        let template: String
        switch settings["template"] {
        case .string(let text)?: template = text
        case nil: throw FormulaError(.invalidFormula, "$tpl needs a template (a string)", at: path)
        case let other?:
            throw FormulaError(.typeMismatch, "$tpl template must be a string, got \(FormulaText.kind(other))", at: path.appending("template"))
        }
        let values: [String: JSONValue]
        switch settings["values"] {
        case .object(let members)?: values = members
        case nil, .null?: values = [:]
        case let other?:
            throw FormulaError(.typeMismatch, "$tpl values must be an object, got \(FormulaText.kind(other))", at: path.appending("values"))
        }

        let bytes = Array(template.utf8)
        let open = UInt8(ascii: "{")
        let close = UInt8(ascii: "}")
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var rendered: [String: [UInt8]] = [:]
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == open else {
                output.append(byte)
                index += 1
                continue
            }
            let double = index + 1 < bytes.count && bytes[index + 1] == open
            // Try `{{key}}` first, then `{key}`; a key never contains braces, so each scan stops
            // at the next brace and the whole template is read in linear time.
            var substituted = false
            for braces in double ? [2, 1] : [1] {
                let start = index + braces
                var end = start
                while end < bytes.count, bytes[end] != open, bytes[end] != close { end += 1 }
                guard end + braces <= bytes.count, bytes[end..<(end + braces)].allSatisfy({ $0 == close }) else { continue }
                let key = Self.trimmed(String(decoding: bytes[start..<end], as: UTF8.self))
                guard let value = values[key] else { continue }
                let text: [UInt8]
                if let known = rendered[key] {
                    text = known
                } else {
                    text = Array(FormulaText.string(value).utf8)
                    rendered[key] = text
                }
                try charge(text.count, at: path)
                output.append(contentsOf: text)
                index = end + braces
                substituted = true
                break
            }
            if !substituted {
                output.append(byte)
                index += 1
            }
        }
        try charge(1 + bytes.count, at: path)
        return .string(String(decoding: output, as: UTF8.self))
    }

    /// `{"$concat": [a, b]}` or `{"$concat": {"values": [a, b], "delimiter": ", "}}`: the string
    /// forms joined; `null` values are left out.
    mutating func concat(_ operand: JSONValue, _ variables: JSONValue, at path: FormulaPath) throws(FormulaError) -> JSONValue {
        let evaluated = try evaluate(operand, variables, at: path)
        let values: [JSONValue]
        var delimiter = ""
        switch evaluated {
        case .array(let items): values = items
        case .object:
            let settings = try fields(evaluated, of: "$concat", allowed: ["values", "delimiter"], at: path)
            switch settings["values"] {
            case .array(let items)?: values = items
            case nil: throw FormulaError(.invalidFormula, "$concat needs values (a list)", at: path)
            case let other?:
                throw FormulaError(.typeMismatch, "$concat values must be a list, got \(FormulaText.kind(other))", at: path.appending("values"))
            }
            switch settings["delimiter"] {
            case .string(let text)?: delimiter = text
            case nil, .null?: break
            case let other?:
                throw FormulaError(
                    .typeMismatch, "$concat delimiter must be a string, got \(FormulaText.kind(other))", at: path.appending("delimiter"))
            }
        default:
            throw FormulaError(
                .typeMismatch, "$concat expects a list or an object with values and delimiter, got \(FormulaText.kind(evaluated))", at: path)
        }
        var output = ""
        var first = true
        for value in values where value != .null {
            let text = FormulaText.string(value)
            try charge(text.utf8.count + (first ? 0 : delimiter.utf8.count), at: path)
            if !first { output += delimiter }
            output += text
            first = false
        }
        try charge(1, at: path)
        return .string(output)
    }

    static func trimmed(_ text: String) -> String {
        var slice = Substring(text)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }
}
