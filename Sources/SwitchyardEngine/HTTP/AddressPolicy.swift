import SwitchyardCore

/// The SSRF guard: which hosts and addresses outbound requests may reach.
///
/// A host is resolved before any connection is made, and the request is refused when any of
/// its addresses is not public (loopback, private, link-local, metadata, unspecified,
/// carrier-grade NAT, multicast, broadcast, reserved, or an IPv6 form embedding one of those),
/// unless ``allowedNetworks`` covers that address. Cloud metadata services are refused even
/// when an allowed network covers them, by address and by name (``metadataHostNames``).
/// IPv4 hosts must be written as four decimal numbers: the other forms `inet_aton` reads
/// (`2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`) are refused outright, naming the address
/// they stand for, since URL parsers, proxies and resolvers disagree about them.
package struct AddressPolicy: Sendable, Hashable {
    /// Networks requests may reach although their class is refused by default.
    package var allowedNetworks: [NetworkRange]

    /// Host names of cloud metadata services, refused whatever they resolve to.
    package static let metadataHostNames: Set<String> = [
        "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
    ]

    /// The variable the server reads ``allowedNetworks`` from, named in refusals.
    package static let allowListVariable = "OUTBOUND_ALLOWED_NETWORKS"

    /// Creates a policy.
    /// - Parameter allowedNetworks: Networks to permit although they are not public.
    package init(allowedNetworks: [NetworkRange] = []) {
        self.allowedNetworks = allowedNetworks
    }

    /// Creates a policy from the text of `OUTBOUND_ALLOWED_NETWORKS` (see
    /// ``NetworkRange/parseList(_:source:)``).
    /// - Throws: `bad_request` naming the entry that is no network.
    package init(allowedNetworksText text: String) throws(SwitchyardError) {
        self.init(allowedNetworks: try NetworkRange.parseList(text, source: Self.allowListVariable))
    }

    /// The class that makes `address` refused, or `nil` when requests may reach it.
    /// - Parameter address: A resolved address.
    package func refusedClass(of address: IPAddress) -> AddressClass? {
        let addressClass = AddressClass(address)
        if addressClass == .public { return nil }
        if addressClass == .metadata { return .metadata }
        let candidates = [address] + (address.embeddedIPv4.map { [$0] } ?? [])
        if allowedNetworks.contains(where: { range in candidates.contains { range.contains($0) } }) { return nil }
        return addressClass
    }

    /// Checks a host, resolving it when it is a name, and returns its addresses.
    /// - Parameters:
    ///   - host: The host as the URL has it (lowercase, IPv6 without brackets).
    ///   - resolver: Resolves names.
    /// - Throws: `access_denied` naming the host, the address and its class when refused;
    ///   `unavailable` when the name does not resolve.
    package func check(host: String, resolver: any HostResolver) async throws(SwitchyardError) -> [IPAddress] {
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        if Self.metadataHostNames.contains(name) {
            throw refusal("\(host) is a cloud metadata service; outbound requests to it are always refused", host: host)
        }
        if let address = IPAddress(host) {
            try checkAddress(address, host: host, literal: true)
            return [address]
        }
        if let (value, _) = IPAddress.parseIPv4Numeric(host) {
            let address = IPAddress.v4(value)
            throw refusal(
                "the host \(host) is an IPv4 address in a non-canonical notation (it means \(address), \(AddressClass(address).phrase)); write IPv4 addresses as four decimal numbers",
                host: host, address: address)
        }
        let addresses = try await resolver.resolve(host)
        for address in addresses {
            try checkAddress(address, host: host, literal: false)
        }
        return addresses
    }

    private func checkAddress(_ address: IPAddress, host: String, literal: Bool) throws(SwitchyardError) {
        guard let refused = refusedClass(of: address) else { return }
        let subject = literal ? "\(host) is \(refused.phrase)" : "\(host) resolves to \(address), \(refused.phrase)"
        if refused == .metadata {
            throw refusal("\(subject); outbound requests to cloud metadata services are always refused", host: host, address: address)
        }
        throw refusal(
            "\(subject); outbound requests to \(refused.plural) are refused unless \(Self.allowListVariable) permits them",
            host: host, address: address)
    }

    private func refusal(_ message: String, host: String, address: IPAddress? = nil) -> SwitchyardError {
        var data = ["host": host]
        if let address { data["address"] = address.description }
        return SwitchyardError(.accessDenied, message, data: data)
    }
}
