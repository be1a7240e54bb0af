#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, as the SSRF guard classifies it.
package enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 address, most significant byte first (`127.0.0.1` is `0x7f00_0001`).
    case v4(UInt32)
    /// An IPv6 address, most significant byte first (`::1` is `1`).
    case v6(UInt128)

    /// Parses an address in its canonical notation only: four decimal parts without leading
    /// zeros for IPv4, and what `inet_pton` accepts for IPv6 (brackets allowed, no zone id).
    /// Returns `nil` for anything else, including the other IPv4 notations `inet_aton` accepts
    /// (see ``parseIPv4Numeric(_:)``).
    /// - Parameter text: The address text.
    package init?(_ text: String) {
        if let (value, canonical) = Self.parseIPv4Numeric(text) {
            guard canonical else { return nil }
            self = .v4(value)
            return
        }
        var text = Substring(text)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        guard text.contains(":"), let value = Self.parseIPv6(String(text)) else { return nil }
        self = .v6(value)
    }

    /// Parses a host the way `inet_aton` (and so `getaddrinfo`) reads a numeric IPv4 host: one to
    /// four parts separated by dots, each decimal, octal (a leading `0`) or hexadecimal (`0x`),
    /// the last part filling the remaining bytes (`2130706433`, `0177.0.0.1`, `0x7f.1` and
    /// `127.1` are all `127.0.0.1`).
    /// - Parameter text: The host.
    /// - Returns: The address and whether `text` was in canonical dotted-quad form; `nil` when
    ///   `text` is no numeric IPv4 host at all.
    package static func parseIPv4Numeric(_ text: String) -> (value: UInt32, canonical: Bool)? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        var canonical = parts.count == 4
        for part in parts {
            guard !part.isEmpty else { return nil }
            var digits = Substring(part)
            var radix = 10
            if digits.count > 1, digits.hasPrefix("0x") || digits.hasPrefix("0X") {
                radix = 16
                digits = digits.dropFirst(2)
                canonical = false
                // `0x` alone is zero to inet_aton.
                if digits.isEmpty { values.append(0); continue }
            } else if digits.count > 1, digits.hasPrefix("0") {
                radix = 8
                digits = digits.dropFirst()
                canonical = false
            }
            guard digits.count <= 20, digits.allSatisfy({ $0.isASCII && $0.isHexDigit }),
                let value = UInt64(digits, radix: radix)
            else { return nil }
            values.append(value)
        }
        var result: UInt64 = 0
        for (index, value) in values.enumerated() {
            if index == values.count - 1 {
                let remainingBytes = 4 - index
                guard value < (UInt64(1) << (8 * UInt64(remainingBytes))) else { return nil }
                result |= value
            } else {
                guard value <= 255 else { return nil }
                result |= value << (8 * UInt64(3 - index))
            }
        }
        if canonical, values.contains(where: { $0 > 255 }) { canonical = false }
        return (UInt32(result), canonical)
    }

    /// Parses IPv6 text with `inet_pton` (no brackets, no zone id).
    private static func parseIPv6(_ text: String) -> UInt128? {
        guard !text.contains("%") else { return nil }
        var storage = in6_addr()
        guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
        return withUnsafeBytes(of: &storage) { bytes in
            bytes.reduce(UInt128(0)) { ($0 << 8) | UInt128($1) }
        }
    }

    /// The address from a socket address `getaddrinfo` returned, or `nil` for other families.
    init?(socketAddress pointer: UnsafePointer<sockaddr>) {
        switch Int32(pointer.pointee.sa_family) {
        case AF_INET:
            let address = pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
            self = .v4(UInt32(bigEndian: address))
        case AF_INET6:
            var storage = pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            self = .v6(withUnsafeBytes(of: &storage) { bytes in bytes.reduce(UInt128(0)) { ($0 << 8) | UInt128($1) } })
        default:
            return nil
        }
    }

    /// The IPv4 address embedded in an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
    /// (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) or 6to4 (`2002:aabb:ccdd::`) IPv6 address.
    package var embeddedIPv4: IPAddress? {
        guard case .v6(let value) = self else { return nil }
        let low32 = UInt32(truncatingIfNeeded: value)
        if value >> 32 == 0xffff { return .v4(low32) }  // ::ffff:0:0/96
        if value >> 32 == 0, value > 1 { return .v4(low32) }  // ::/96, except :: and ::1
        if value >> 32 == 0x0064_ff9b_0000_0000_0000_0000 { return .v4(low32) }  // 64:ff9b::/96
        if value >> 112 == 0x2002 { return .v4(UInt32(truncatingIfNeeded: value >> 80)) }  // 2002::/16
        return nil
    }

    /// The address as a URL host: IPv6 in brackets.
    package var urlHost: String {
        switch self {
        case .v4: return description
        case .v6: return "[\(description)]"
        }
    }

    /// Canonical text: dotted quad, or RFC 5952 IPv6 as `inet_ntop` writes it.
    package var description: String {
        switch self {
        case .v4(let value):
            return [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xff) }.joined(separator: ".")
        case .v6(let value):
            var storage = in6_addr()
            withUnsafeMutableBytes(of: &storage) { bytes in
                for index in 0..<16 { bytes[index] = UInt8(truncatingIfNeeded: value >> UInt128(8 * (15 - index))) }
            }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &storage, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
