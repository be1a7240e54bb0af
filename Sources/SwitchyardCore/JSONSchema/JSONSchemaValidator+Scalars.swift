/// `type`, `enum`, `const`, and the number and string keywords.
extension JSONSchemaValidator {
    /// `type`, `enum`, `const`.
    mutating func checkValue(_ rule: JSONSchemaRule, _ value: JSONValue) -> Bool {
        switch rule {
        case .type(let types):
            return types.contains { $0.matches(value) } || fail("must be \(JSONSchemaType.phrase(types))")
        case .enumeration(let values):
            return values.contains(value) || fail("must be one of: \(Self.list(values))")
        case .constant(let constant):
            return value == constant || fail("must equal \(Self.display(constant))")
        default:
            return true
        }
    }

    /// The number keywords; other values pass.
    mutating func checkNumber(_ rule: JSONSchemaRule, _ value: JSONValue) -> Bool {
        guard case .number(let number) = value else { return true }
        switch rule {
        case .minimum(let bound, let exclusive):
            if exclusive { return number > bound || fail("must be greater than \(Self.display(.number(bound)))") }
            return number >= bound || fail("must be at least \(Self.display(.number(bound)))")
        case .maximum(let bound, let exclusive):
            if exclusive { return number < bound || fail("must be less than \(Self.display(.number(bound)))") }
            return number <= bound || fail("must be at most \(Self.display(.number(bound)))")
        case .multipleOf(let divisor):
            return Self.isMultiple(number, of: divisor) || fail("must be a multiple of \(Self.display(.number(divisor)))")
        default:
            return true
        }
    }

    /// Exact for integers below 2^53; otherwise the quotient must be within a few units in the
    /// last place of a whole number, so decimal steps work (0.3 is a multiple of 0.1).
    static func isMultiple(_ number: Double, of divisor: Double) -> Bool {
        let exactLimit = 9_007_199_254_740_992.0
        if number == number.rounded(), divisor == divisor.rounded(), abs(number) < exactLimit, divisor < exactLimit {
            return number.truncatingRemainder(dividingBy: divisor) == 0
        }
        let quotient = number / divisor
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) <= 4 * max(abs(quotient), 1).ulp
    }

    /// The string keywords; other values pass.
    mutating func checkString(_ rule: JSONSchemaRule, _ value: JSONValue) -> Bool {
        guard case .string(let string) = value else { return true }
        switch rule {
        case .minLength(let length):
            return string.unicodeScalars.count >= length || fail("must be at least \(Self.counted(length, "character"))")
        case .maxLength(let length):
            return string.unicodeScalars.count <= length || fail("must be at most \(Self.counted(length, "character"))")
        case .pattern(let pattern):
            return pattern.matches(string) || fail("must match the pattern \(pattern.source)")
        case .format(let format):
            return format.accepts(string) || fail(format.message)
        default:
            return true
        }
    }

    /// Up to ten values, comma-separated.
    private static func list(_ values: [JSONValue]) -> String {
        let shown = values.prefix(10).map(display).joined(separator: ", ")
        return values.count > 10 ? shown + ", …" : shown
    }
}
