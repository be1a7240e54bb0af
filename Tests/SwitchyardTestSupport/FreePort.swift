import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A loopback port nothing listens on now, for a process that is told its port before it starts.
///
/// It is picked below the kernel's ephemeral range (32768–60999 on Linux): a port from that range
/// (what binding port 0 gives) is also what the kernel hands to outgoing connections and to every
/// `PORT=0` server of the tests running in parallel, so between the pick and the bind another
/// socket could take it. Below the range only an explicit bind can.
package enum FreePort {
    /// The ports picked from.
    static let range = 20_000...32_767

    /// A random port of ``range`` that can be bound on 127.0.0.1 now.
    package static func pick() throws -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: range)
            if try bindable(port) { return port }
        }
        throw POSIXError(.EADDRINUSE)
    }

    /// Whether a listening socket could bind the port on 127.0.0.1 now.
    static func bindable(_ port: Int) throws -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        return withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, length) == 0 }
        }
    }
}
