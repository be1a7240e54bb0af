import Dispatch
import SwitchyardCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves a host name to the addresses a connection could reach, for the SSRF guard.
package protocol HostResolver: Sendable {
    /// Every address `host` resolves to.
    /// - Throws: `unavailable` when the name does not resolve.
    func resolve(_ host: String) async throws(SwitchyardError) -> [IPAddress]
}

/// Resolves with the system's `getaddrinfo` (as the connection itself will), on a GCD thread:
/// a lookup can block for seconds, and a blocked cooperative thread starves every other task.
package struct SystemHostResolver: HostResolver {
    /// Creates the resolver.
    package init() {}

    /// Every address `getaddrinfo` gives for `host` (TCP, any family, only families this
    /// machine has addresses of), without duplicates.
    package func resolve(_ host: String) async throws(SwitchyardError) -> [IPAddress] {
        let result: Result<[IPAddress], SwitchyardError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.lookUp(host))
            }
        }
        return try result.get()
    }

    private static func lookUp(_ host: String) -> Result<[IPAddress], SwitchyardError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            return .failure(
                SwitchyardError(
                    .unavailable, "the host \(host) could not be resolved (\(reason))", data: ["host": host]))
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let socketAddress = current.pointee.ai_addr, let address = IPAddress(socketAddress: socketAddress),
                !addresses.contains(address)
            {
                addresses.append(address)
            }
            entry = current.pointee.ai_next
        }
        guard !addresses.isEmpty else {
            return .failure(SwitchyardError(.unavailable, "the host \(host) resolves to no address", data: ["host": host]))
        }
        return .success(addresses)
    }
}
