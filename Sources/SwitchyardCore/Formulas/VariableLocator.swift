/// A path into the variables, as `$var` and `$copy` take it: `$.a.b[0]`, `a.b`, `$` (all
/// variables). A backslash makes the next character part of a key (`$.dot\.field`,
/// `$.bracket\[key`). A list position may also be written as a key (`a.0`), and a bracketed
/// position on an object looks up the key of those digits.
struct VariableLocator: Sendable, Hashable {
    /// Why a locator could not be read.
    struct Failure: Error {
        var reason: String
    }

    /// Keys and positions, outermost first; positions are kept as their digits.
    let steps: [String]

    init(parsing text: String) throws(Failure) {
        var rest = Substring(text)
        if rest.first == "$" {
            let afterDollar = rest.dropFirst()
            if afterDollar.isEmpty || afterDollar.first == "." || afterDollar.first == "[" { rest = afterDollar }
        }
        if rest.first == "." {
            rest = rest.dropFirst()
            if rest.isEmpty { throw Failure(reason: "it ends with a dot") }
        } else if rest.isEmpty, !text.hasPrefix("$") {
            throw Failure(reason: "it is empty (write $ for all variables)")
        }
        var steps: [String] = []
        var key = ""
        var keyStarted = false
        var iterator = rest.makeIterator()
        var afterIndex = false
        while let character = iterator.next() {
            switch character {
            case "\\":
                guard let escaped = iterator.next() else { throw Failure(reason: "it ends with a backslash") }
                key.append(escaped)
                keyStarted = true
            case ".":
                if keyStarted {
                    guard !key.isEmpty else { throw Failure(reason: "it has an empty key") }
                    steps.append(key)
                } else if !afterIndex {
                    throw Failure(reason: "it has an empty key")
                }
                key = ""
                keyStarted = true
                afterIndex = false
                continue
            case "[":
                if keyStarted {
                    guard !key.isEmpty else { throw Failure(reason: "it has an empty key before [") }
                    steps.append(key)
                }
                key = ""
                var digits = ""
                var closed = false
                while let next = iterator.next() {
                    if next == "]" {
                        closed = true
                        break
                    }
                    guard next.isASCII, next.isNumber else { throw Failure(reason: "a list position must be digits in brackets, like [0]") }
                    digits.append(next)
                }
                guard closed, !digits.isEmpty else { throw Failure(reason: "a list position must be digits in brackets, like [0]") }
                steps.append(digits)
                keyStarted = false
                afterIndex = true
                continue
            case "]":
                throw Failure(reason: "it has a ] without [ (write \\] for a bracket inside a key)")
            default:
                if afterIndex { throw Failure(reason: "a list position must be followed by . or [") }
                key.append(character)
                keyStarted = true
            }
        }
        if keyStarted {
            guard !key.isEmpty else { throw Failure(reason: "it ends with a dot") }
            steps.append(key)
        }
        self.steps = steps
    }

    /// The value at this locator, or `null` when any step is missing.
    func resolve(in root: JSONValue) -> JSONValue {
        var current = root
        for step in steps {
            switch current {
            case .object(let members):
                guard let member = members[step] else { return .null }
                current = member
            case .array(let items):
                guard step.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                    let index = Int(step), index < items.count
                else { return .null }
                current = items[index]
            default:
                return .null
            }
        }
        return current
    }
}
