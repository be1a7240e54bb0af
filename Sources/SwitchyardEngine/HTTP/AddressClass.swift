/// What kind of network an address belongs to, for the SSRF guard. Everything but
/// ``public`` is refused for outbound requests unless an allowed network covers the address
/// (``metadata`` is refused even then).
package enum AddressClass: String, Sendable, Hashable, CaseIterable {
    /// A globally routable address.
    case `public`
    /// `127.0.0.0/8`, `::1`.
    case loopback
    /// `10/8`, `172.16/12`, `192.168/16`, `fc00::/7`, `fec0::/10`.
    case `private`
    /// `169.254/16`, `fe80::/10`.
    case linkLocal
    /// A cloud metadata service: `169.254.169.254`, `fd00:ec2::254`, `100.100.100.200`.
    case metadata
    /// `0.0.0.0/8`, `::`.
    case unspecified
    /// Carrier-grade NAT, `100.64/10`.
    case carrierGradeNAT
    /// `224/4`, `ff00::/8`.
    case multicast
    /// `255.255.255.255`.
    case broadcast
    /// Ranges set aside for documentation, benchmarking, protocol assignments or future use
    /// (`192.0.0/24`, `192.0.2/24`, `198.18/15`, `198.51.100/24`, `203.0.113/24`, `240/4`,
    /// `2001:db8::/32`, `100::/64`, Teredo `2001::/32`).
    case reserved

    /// The class with its article, for messages: "a private address".
    package var phrase: String {
        switch self {
        case .public: return "a public address"
        case .loopback: return "a loopback address"
        case .private: return "a private address"
        case .linkLocal: return "a link-local address"
        case .metadata: return "a cloud metadata address"
        case .unspecified: return "an unspecified address"
        case .carrierGradeNAT: return "a carrier-grade NAT address"
        case .multicast: return "a multicast address"
        case .broadcast: return "a broadcast address"
        case .reserved: return "a reserved address"
        }
    }

    /// The class of the address plural, for messages: "private addresses".
    package var plural: String {
        switch self {
        case .public: return "public addresses"
        case .loopback: return "loopback addresses"
        case .private: return "private addresses"
        case .linkLocal: return "link-local addresses"
        case .metadata: return "cloud metadata addresses"
        case .unspecified: return "unspecified addresses"
        case .carrierGradeNAT: return "carrier-grade NAT addresses"
        case .multicast: return "multicast addresses"
        case .broadcast: return "broadcast addresses"
        case .reserved: return "reserved addresses"
        }
    }

    /// Classifies an address. IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64,
    /// 6to4) take the class of the embedded address when that is not public.
    /// - Parameter address: The address.
    package init(_ address: IPAddress) {
        switch address {
        case .v4(let value):
            self = Self.classifyIPv4(value)
        case .v6(let value):
            let own = Self.classifyIPv6(value)
            if own == .public, let embedded = address.embeddedIPv4 {
                self = AddressClass(embedded)
            } else {
                self = own
            }
        }
    }

    private static func classifyIPv4(_ value: UInt32) -> AddressClass {
        func inRange(_ base: UInt32, _ prefix: UInt32) -> Bool {
            let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix)
            return value & mask == base & mask
        }
        if value == 0xa9fe_a9fe || value == 0x6464_64c8 { return .metadata }  // 169.254.169.254, 100.100.100.200
        if value == 0xffff_ffff { return .broadcast }
        if inRange(0x0000_0000, 8) { return .unspecified }
        if inRange(0x7f00_0000, 8) { return .loopback }
        if inRange(0x0a00_0000, 8) || inRange(0xac10_0000, 12) || inRange(0xc0a8_0000, 16) { return .private }
        if inRange(0xa9fe_0000, 16) { return .linkLocal }
        if inRange(0x6440_0000, 10) { return .carrierGradeNAT }
        if inRange(0xe000_0000, 4) { return .multicast }
        if inRange(0xc000_0000, 24) || inRange(0xc000_0200, 24) || inRange(0xc612_0000, 15)
            || inRange(0xc633_6400, 24) || inRange(0xcb00_7100, 24) || inRange(0xf000_0000, 4)
        {
            return .reserved
        }
        return .public
    }

    private static func classifyIPv6(_ value: UInt128) -> AddressClass {
        func inRange(_ base: UInt128, _ prefix: UInt128) -> Bool {
            let mask: UInt128 = prefix == 0 ? 0 : ~UInt128(0) << (128 - prefix)
            return value & mask == base & mask
        }
        if value == 0xfd00_0ec2_0000_0000_0000_0000_0000_0254 { return .metadata }  // fd00:ec2::254
        if value == 0 { return .unspecified }
        if value == 1 { return .loopback }
        if inRange(0xfc00 << 112, 7) || inRange(0xfec0 << 112, 10) { return .private }
        if inRange(0xfe80 << 112, 10) { return .linkLocal }
        if inRange(0xff00 << 112, 8) { return .multicast }
        if inRange(0x2001_0db8 << 96, 32) || inRange(0x0100 << 112, 64) || inRange(0x2001_0000 << 96, 32) {
            return .reserved
        }
        return .public
    }
}
