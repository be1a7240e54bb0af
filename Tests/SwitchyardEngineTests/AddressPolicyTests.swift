import NIOHTTP1
import Synchronization
import Testing

import SwitchyardCore
import SwitchyardEngine

/// Answers from a fixed table and remembers what it was asked; fails for unknown names, so no
/// test depends on real DNS.
final class StubResolver: HostResolver {
    let table: [String: [IPAddress]]
    private let asked = Mutex<[String]>([])

    init(_ table: [String: [IPAddress]] = [:]) { self.table = table }

    var questions: [String] { asked.withLock { $0 } }

    func resolve(_ host: String) async throws(SwitchyardError) -> [IPAddress] {
        asked.withLock { $0.append(host) }
        guard let addresses = table[host] else { throw SwitchyardError(.unavailable, "no such host \(host) in the stub") }
        return addresses
    }
}

@Suite("SSRF guard")
struct AddressPolicyTests {
    @Test(
        "every non-public class is refused, each literal classified right",
        arguments: [
            ("127.0.0.1", AddressClass.loopback), ("127.255.0.9", .loopback), ("::1", .loopback),
            ("10.1.2.3", .private), ("172.16.0.1", .private), ("172.31.255.255", .private), ("192.168.1.1", .private),
            ("fc00::1", .private), ("fd12:3456::1", .private),
            ("169.254.1.1", .linkLocal), ("fe80::1", .linkLocal),
            ("169.254.169.254", .metadata), ("fd00:ec2::254", .metadata), ("100.100.100.200", .metadata),
            ("0.0.0.0", .unspecified), ("0.1.2.3", .unspecified), ("::", .unspecified),
            ("100.64.0.1", .carrierGradeNAT), ("100.127.255.254", .carrierGradeNAT),
            ("224.0.0.1", .multicast), ("239.255.255.250", .multicast), ("ff02::1", .multicast),
            ("255.255.255.255", .broadcast),
            ("192.0.2.1", .reserved), ("198.18.0.1", .reserved), ("240.0.0.1", .reserved), ("2001:db8::1", .reserved),
            ("::ffff:127.0.0.1", .loopback), ("::ffff:10.0.0.5", .private), ("::ffff:169.254.169.254", .metadata),
            ("::127.0.0.1", .loopback), ("64:ff9b::a00:1", .private), ("2002:a9fe:a9fe::1", .metadata),
        ])
    func classes(literal: String, expected: AddressClass) throws {
        let address = try #require(IPAddress(literal))
        #expect(AddressClass(address) == expected)
        #expect(AddressPolicy().refusedClass(of: address) == expected)
    }

    @Test(
        "public addresses pass",
        arguments: ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "169.253.255.255", "2606:4700::1111", "::ffff:8.8.8.8"])
    func publicAddresses(literal: String) throws {
        let address = try #require(IPAddress(literal))
        #expect(AddressClass(address) == .public)
        #expect(AddressPolicy().refusedClass(of: address) == nil)
    }

    @Test(
        "inet_aton notations are read as getaddrinfo reads them",
        arguments: [
            ("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"),
            ("0x7f.0.0.1", "127.0.0.1"), ("10.0x10203", "10.1.2.3"), ("0", "0.0.0.0"), ("3232235777", "192.168.1.1"),
            ("0251.0376.0251.0376", "169.254.169.254"),
        ])
    func numericNotations(text: String, meaning: String) throws {
        let parsed = try #require(IPAddress.parseIPv4Numeric(text))
        #expect(IPAddress.v4(parsed.value).description == meaning)
        #expect(!parsed.canonical)
        #expect(IPAddress(text) == nil, "non-canonical text is no canonical literal")
    }

    @Test("text that is no number is a name, not an address", arguments: ["example.com", "1.2.3.4.5", "256.1.1.1", "08.1.1.1", "1..2", "+1.2.3.4", "0x"])
    func notNumeric(text: String) {
        if text == "0x" {
            #expect(IPAddress.parseIPv4Numeric(text) == nil || IPAddress.parseIPv4Numeric(text)?.canonical == false)
        } else {
            #expect(IPAddress.parseIPv4Numeric(text) == nil)
        }
    }

    @Test("forbidden literals are refused with access_denied before any packet or DNS query")
    func refusedWithoutPackets() async throws {
        let urls = [
            "http://127.0.0.1/", "http://[::1]/", "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://100.64.0.1/", "http://0.0.0.0/",
            "http://[::ffff:127.0.0.1]/", "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/",
            "https://[fd00:ec2::254]/", "http://100.100.100.200/", "http://224.0.0.1/", "http://255.255.255.255/",
            "http://[::]/", "http://[::ffff:a9fe:a9fe]/", "http://metadata.google.internal/computeMetadata/v1/",
            "http://METADATA.google.internal./",
        ]
        let resolver = StubResolver()
        try await withClient(OutboundHTTPSettings(), resolver: resolver) { client, sink in
            for url in urls {
                let error = await expectSwitchyardError { try await client.send(OutboundRequest(url: url)) }
                #expect(error?.key == .accessDenied, "\(url): \(String(describing: error))")
            }
            #expect(client.requestsSent == 0)
            let entries = await sink.entries
            #expect(entries.count == urls.count)
            #expect(entries.allSatisfy { !$0.sent && $0.status == nil && $0.error?.hasPrefix("access_denied") == true })
        }
        #expect(resolver.questions.isEmpty, "literals and metadata names need no DNS: \(resolver.questions)")
    }

    @Test("a refusal names the host, the address, its class and the variable that can permit it")
    func refusalMessage() async throws {
        let resolver = StubResolver(["internal.example": [.v4(0x5db8_d822), .v4(0x0a00_0005)]])
        try await withClient(OutboundHTTPSettings(), resolver: resolver) { client, _ in
            let error = await expectSwitchyardError { try await client.send(OutboundRequest(url: "https://internal.example/x")) }
            #expect(
                error?.message
                    == "internal.example resolves to 10.0.0.5, a private address; outbound requests to private addresses are refused unless OUTBOUND_ALLOWED_NETWORKS permits them"
            )
            #expect(error?.data["address"] == "10.0.0.5")
            let literal = await expectSwitchyardError { try await client.send(OutboundRequest(url: "http://0177.0.0.1:8080/")) }
            #expect(literal?.message.contains("non-canonical") == true)
            #expect(literal?.message.contains("127.0.0.1, a loopback address") == true)
            let metadata = await expectSwitchyardError { try await client.send(OutboundRequest(url: "http://169.254.169.254/")) }
            #expect(metadata?.message.contains("always refused") == true)
            #expect(client.requestsSent == 0)
        }
    }

    @Test("a name is refused when any one of its addresses is forbidden, and metadata stays refused when allow-listed")
    func anyAddressRefuses() async throws {
        let policy = AddressPolicy(allowedNetworks: [try NetworkRange(parsing: "169.254.0.0/16")])
        let resolver = StubResolver([
            "mixed.example": [.v4(0x0808_0808), try #require(IPAddress("::1"))],
            "link.example": [try #require(IPAddress("169.254.10.10"))],
            "meta.example": [try #require(IPAddress("169.254.169.254"))],
        ])
        await #expect(throws: SwitchyardError.self) { try await policy.check(host: "mixed.example", resolver: resolver) }
        #expect(try await policy.check(host: "link.example", resolver: resolver) == [try #require(IPAddress("169.254.10.10"))])
        await #expect(throws: SwitchyardError.self) { try await policy.check(host: "meta.example", resolver: resolver) }
        await #expect(throws: SwitchyardError.self) { try await policy.check(host: "metadata.google.internal", resolver: resolver) }
    }

    @Test("an allowed network permits its addresses and their IPv4-mapped forms, nothing else")
    func allowList() throws {
        let policy = try AddressPolicy(allowedNetworksText: "127.0.0.0/8, 10.20.0.0/16  fd00::/8")
        #expect(policy.refusedClass(of: try #require(IPAddress("127.0.0.1"))) == nil)
        #expect(policy.refusedClass(of: try #require(IPAddress("::ffff:127.0.0.1"))) == nil)
        #expect(policy.refusedClass(of: try #require(IPAddress("10.20.3.4"))) == nil)
        #expect(policy.refusedClass(of: try #require(IPAddress("10.21.3.4"))) == .private)
        #expect(policy.refusedClass(of: try #require(IPAddress("fd00::5"))) == nil)
        #expect(policy.refusedClass(of: try #require(IPAddress("::1"))) == .loopback)
        #expect(policy.refusedClass(of: try #require(IPAddress("fd00:ec2::254"))) == .metadata)
        #expect(try AddressPolicy(allowedNetworksText: "").allowedNetworks.isEmpty)
    }

    @Test(
        "an allow-list entry that is no network is refused with a message naming it",
        arguments: [
            ("10.0.0.1/8", "host bits"), ("10.0.0.0/33", "0 to 32"), ("fd00::/129", "0 to 128"), ("localhost", "not a network"),
            ("0177.0.0.0/8", "not a network"), ("10.0.0.0/", "0 to 32"), ("10.0.0.0/-1", "0 to 32"),
        ])
    func badAllowList(text: String, complaint: String) {
        do {
            _ = try AddressPolicy(allowedNetworksText: "127.0.0.0/8,\(text)")
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.key == .badRequest)
            #expect(error.message.hasPrefix("OUTBOUND_ALLOWED_NETWORKS: '\(text)'"), "\(error.message)")
            #expect(error.message.contains(complaint), "\(error.message)")
        }
    }

    @Test(
        "only http and https URLs, with a plain host and no user info, are requested",
        arguments: [
            ("ftp://example.com/file", SwitchyardError.Key.accessDenied), ("file:///etc/passwd", .accessDenied),
            ("gopher://127.0.0.1:25/", .accessDenied), ("unix:///var/run/docker.sock", .accessDenied),
            ("http+unix://%2Fvar%2Frun%2Fdocker.sock/info", .accessDenied), ("not a url", .accessDenied),
            ("http://user:pass@example.com/", .badRequest), ("http://[fe80::1%25eth0]/", .badRequest), ("/relative", .accessDenied),
        ])
    func schemes(url: String, key: SwitchyardError.Key) async throws {
        try await withClient(OutboundHTTPSettings(), resolver: StubResolver()) { client, _ in
            let error = await expectSwitchyardError { try await client.send(OutboundRequest(url: url)) }
            #expect(error?.key == key, "\(url): \(String(describing: error))")
            #expect(client.requestsSent == 0)
        }
    }
}
