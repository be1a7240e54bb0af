/// How an object key is written in the paths messages show (`a.b`, `items[2]`, `labels["a b"]`):
/// one rule for formula paths and JSON Schema paths.
enum PathKey {
    /// Keys made only of letters, digits, `_`, `-` and `$` are written bare; others quoted.
    static func isPlain(_ key: String) -> Bool {
        !key.isEmpty
            && key.unicodeScalars.allSatisfy { scalar in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "_", "-", "$": true
                default: false
                }
            }
    }
}
