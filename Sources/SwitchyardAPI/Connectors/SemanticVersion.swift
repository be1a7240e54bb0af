/// A semantic version (`MAJOR.MINOR.PATCH` with an optional `-prerelease`), ordered by
/// semver precedence. Build metadata (`+…`) is refused: it does not order versions, so two
/// published versions could not be told apart by it.
struct SemanticVersion: Comparable, CustomStringConvertible, Sendable {
    /// The JSON Schema pattern of exactly the texts ``init(_:)`` accepts (numbers of up to 9
    /// digits without leading zeros; pre-release identifiers numeric without leading zeros, or
    /// alphanumeric with hyphens).
    static let pattern = "^(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?$"
    /// The same, or `development`.
    static let pinPattern = "^development$|" + pattern
    var major: Int
    var minor: Int
    var patch: Int
    var prerelease: [String]

    /// Parses a version; `nil` when it is not one.
    init?(_ text: String) {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let numbers = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3, text.utf8.count <= 64 else { return nil }
        var values: [Int] = []
        for number in numbers {
            guard let value = Self.numeric(number) else { return nil }
            values.append(value)
        }
        (major, minor, patch) = (values[0], values[1], values[2])
        prerelease = []
        if parts.count == 2 {
            let identifiers = parts[1].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            for identifier in identifiers {
                guard !identifier.isEmpty, identifier.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") })
                else { return nil }
                // A numeric identifier has no leading zero (it may be longer than a version number).
                if identifier.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }), identifier != "0", identifier.hasPrefix("0") { return nil }
            }
            prerelease = identifiers
        }
    }

    /// A number without leading zeros, small enough to compare.
    private static func numeric(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }), text == "0" || !text.hasPrefix("0") else { return nil }
        return Int(text)
    }

    var description: String {
        "\(major).\(minor).\(patch)" + (prerelease.isEmpty ? "" : "-" + prerelease.joined(separator: "."))
    }

    static func < (lhs: Self, rhs: Self) -> Bool {
        if (lhs.major, lhs.minor, lhs.patch) != (rhs.major, rhs.minor, rhs.patch) {
            return (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
        }
        // A pre-release sorts before its release; identifiers compare numerically or as text.
        switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
        case (true, true), (true, false): return false
        case (false, true): return true
        case (false, false): break
        }
        for (left, right) in zip(lhs.prerelease, rhs.prerelease) where left != right {
            switch (Int(left), Int(right)) {
            case (let l?, let r?): return l < r
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return left < right
            }
        }
        return lhs.prerelease.count < rhs.prerelease.count
    }
}
