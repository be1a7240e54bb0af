/// `$ref` targets and the check that definitions do not loop in place.
extension JSONSchemaCompiler {
    /// The definition-table key for `#/$defs/<name>` or `#/definitions/<name>` (the name
    /// percent-decoded, then JSON-pointer-unescaped: `~1` is `/`, `~0` is `~`), or `nil` for any
    /// other reference.
    static func definitionKey(_ reference: String) -> String? {
        for keyword in ["$defs", "definitions"] {
            let prefix = "#/\(keyword)/"
            guard reference.hasPrefix(prefix) else { continue }
            let encoded = Array(reference.utf8.dropFirst(prefix.utf8.count))
            guard !encoded.isEmpty, !encoded.contains(UInt8(ascii: "/")), let name = unescape(encoded) else { return nil }
            return "\(keyword)/\(name)"
        }
        return nil
    }

    private static func unescape(_ bytes: [UInt8]) -> String? {
        var decoded: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let byte = UInt8(String(decoding: bytes[index + 1...index + 2], as: UTF8.self), radix: 16) else { return nil }
                decoded.append(byte)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        var name: [UInt8] = []
        index = 0
        while index < decoded.count {
            if decoded[index] == UInt8(ascii: "~") {
                guard index + 1 < decoded.count else { return nil }
                switch decoded[index + 1] {
                case UInt8(ascii: "0"): name.append(UInt8(ascii: "~"))
                case UInt8(ascii: "1"): name.append(UInt8(ascii: "/"))
                default: return nil
                }
                index += 2
            } else {
                name.append(decoded[index])
                index += 1
            }
        }
        return String(validating: name, as: UTF8.self)
    }

    /// Refuses definitions that reach themselves without descending into the value
    /// (`{"$defs": {"a": {"allOf": [{"$ref": "#/$defs/a"}]}}}`): validating them would never end.
    func refuseCycles() throws(SwitchyardError) {
        var finished: Set<String> = []
        for start in definitions.keys.sorted() where !finished.contains(start) {
            // Depth-first, with an explicit stack so a long chain of definitions cannot overflow.
            var stack: [(key: String, next: [String])] = [(start, definitions[start]!.inPlaceReferences)]
            while let top = stack.last {
                guard let next = top.next.first else {
                    finished.insert(top.key)
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next.removeFirst()
                if finished.contains(next) { continue }
                if let loopStart = stack.firstIndex(where: { $0.key == next }) {
                    let trail = (stack[loopStart...].map(\.key) + [next]).map(Self.display).joined(separator: " → ")
                    throw Self.error(Self.path(of: next), "refers back to itself without descending into the value (\(trail))")
                }
                stack.append((next, definitions[next]!.inPlaceReferences))
            }
        }
    }

    /// The schema path of a definition key (`$defs/a` is at `$defs.a`).
    private static func path(of key: String) -> JSONSchemaPath {
        let keyword = String(key.prefix { $0 != "/" })
        return JSONSchemaPath.root.appending(keyword).appending(String(key.dropFirst(keyword.count + 1)))
    }

    private static func display(_ key: String) -> String { path(of: key).description }
}
