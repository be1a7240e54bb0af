#if canImport(Glibc)
import Glibc
#endif

/// How the process's C allocator is set up before any work starts (decision 0018).
///
/// glibc gives each thread that allocates under contention an arena of its own, up to eight per
/// core, and memory freed in one arena is not reused by another: a server whose requests hop
/// between event-loop and task threads keeps growing. Two arenas hold the api role's resident
/// memory flat under load at no measurable cost in throughput. `MALLOC_ARENA_MAX`, when set,
/// still wins (glibc reads it itself).
enum MemoryTuning {
    /// The arenas the allocator may use.
    static let arenas: Int32 = 2
    /// glibc's `M_ARENA_MAX` (from `malloc.h`, which the Glibc module does not bring in).
    private static let arenaMaxOption: Int32 = -8

    /// Applies the settings; called once, first thing in `main`.
    static func apply(environment: [String: String]) {
        #if canImport(Glibc)
        guard environment["MALLOC_ARENA_MAX"] == nil, let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        _ = unsafeBitCast(symbol, to: MallOpt.self)(arenaMaxOption, arenas)
        #endif
    }
}
