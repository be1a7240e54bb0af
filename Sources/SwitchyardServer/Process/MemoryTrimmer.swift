import ServiceLifecycle
import SwitchyardCore

/// Hands memory the allocator holds free back to the system every few seconds (decision 0018).
///
/// glibc returns freed memory only from the top of its heaps; after a burst of requests the rest
/// stays resident though nothing uses it, and a busy server's RSS climbs to its worst moment and
/// stays there. `malloc_trim` releases the free pages of every arena; it takes about a
/// millisecond, so every 10 s costs nothing measurable.
struct MemoryTrimmer: Service {
    /// How often it trims.
    var interval: Duration = .seconds(10)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await TimerSleep.sleep(for: interval)
                } catch {
                    return
                }
                MemoryTuning.trim()
            }
        }
    }
}
