import SwitchyardCore

/// A CIDR range (`10.0.0.0/8`, `fd12:3456::/32`, or a single address), for the allow-list of
/// networks outbound requests may reach although the SSRF guard would refuse them.
package struct NetworkRange: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the range (host bits zero).
    package let base: IPAddress
    /// The prefix length: 0–32 for IPv4, 0–128 for IPv6.
    package let prefixLength: Int

    /// Parses `address/prefix` or a bare address (a range of one). The address must be in
    /// canonical notation, and the host bits must be zero (`10.0.0.1/8` is refused as ambiguous).
    /// - Parameter text: The range text.
    /// - Throws: `bad_request` naming the text and what is wrong with it.
    package init(parsing text: String) throws(SwitchyardError) {
        let trimmed = text.trimmingWhitespace
        let pieces = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(pieces[0])) else {
            throw SwitchyardError(
                .badRequest, "'\(trimmed)' is not a network: expected an IP address in canonical notation, optionally followed by /prefix-length",
                data: ["network": trimmed])
        }
        let width = address.bitWidth
        var prefix = width
        if pieces.count == 2 {
            guard let parsed = Int(pieces[1]), pieces[1].allSatisfy(\.isASCIIDigit), (0...width).contains(parsed) else {
                throw SwitchyardError(
                    .badRequest, "'\(trimmed)' is not a network: the prefix length must be a number from 0 to \(width)",
                    data: ["network": trimmed])
            }
            prefix = parsed
        }
        guard address.masked(to: prefix) == address else {
            throw SwitchyardError(
                .badRequest,
                "'\(trimmed)' is not a network: it has host bits set below /\(prefix) (did you mean \(address.masked(to: prefix))/\(prefix)?)",
                data: ["network": trimmed])
        }
        self.base = address
        self.prefixLength = prefix
    }

    /// Whether the range holds `address` (an IPv4 range never holds an IPv6 address; the guard
    /// checks the IPv4 address embedded in an IPv6 one separately).
    package func contains(_ address: IPAddress) -> Bool {
        switch (base, address) {
        case (.v4, .v4), (.v6, .v6): return address.masked(to: prefixLength) == base
        default: return false
        }
    }

    /// `base/prefix`.
    package var description: String { "\(base)/\(prefixLength)" }

    /// Parses a list of ranges separated by commas or whitespace, as `OUTBOUND_ALLOWED_NETWORKS`
    /// holds it (`"127.0.0.0/8, 10.20.0.0/16 fd00::/8"`). Empty text is an empty list.
    /// - Parameters:
    ///   - text: The list.
    ///   - source: Where the text came from, for the message (a variable name).
    /// - Throws: `bad_request` naming the source and the first entry that is no network.
    package static func parseList(_ text: String, source: String = "OUTBOUND_ALLOWED_NETWORKS") throws(SwitchyardError) -> [NetworkRange] {
        var ranges: [NetworkRange] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
            do {
                ranges.append(try NetworkRange(parsing: String(entry)))
            } catch {
                throw SwitchyardError(.badRequest, "\(source): \(error.message)", data: error.data.merging(["source": source]) { $1 })
            }
        }
        return ranges
    }
}

extension IPAddress {
    /// 32 or 128.
    var bitWidth: Int {
        switch self {
        case .v4: return 32
        case .v6: return 128
        }
    }

    /// The address with every bit after the first `prefix` cleared.
    func masked(to prefix: Int) -> IPAddress {
        switch self {
        case .v4(let value):
            return .v4(prefix == 0 ? 0 : value & (~UInt32(0) << UInt32(32 - prefix)))
        case .v6(let value):
            return .v6(prefix == 0 ? 0 : value & (~UInt128(0) << UInt128(128 - prefix)))
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
