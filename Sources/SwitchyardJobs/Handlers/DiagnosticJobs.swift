import Foundation
import SwitchyardCore
import SwitchyardStore

/// Built-in job kinds operators use to check workers end to end (`switchyard jobs enqueue`),
/// and that the benchmarks drive: no work, waiting, allocating memory, failing.
package enum DiagnosticJobs {
    /// Does nothing.
    package static let noop = "diagnostics.noop"
    /// Sleeps `ms` milliseconds (cancellable).
    package static let sleep = "diagnostics.sleep"
    /// Allocates and touches `mb` megabytes, holds them `ms` milliseconds, frees them.
    package static let allocate = "diagnostics.allocate"
    /// Fails with `message`; `retryable: false` discards at once.
    package static let fail = "diagnostics.fail"

    /// Adds the diagnostic kinds to a registry.
    package static func register(in registry: inout JobRegistry) {
        registry.register(noop) { _ in .completed }
        registry.register(sleep) { context in
            try await Task.sleep(for: .milliseconds(Int(context.job.args["ms"]?.numberValue ?? 0)))
            return .completed
        }
        registry.register(allocate) { context in
            let megabytes = Int(context.job.args["mb"]?.numberValue ?? 0)
            guard (0...65_536).contains(megabytes) else { throw JobFailure("mb must be 0 to 65536", retryable: false) }
            let size = megabytes << 20
            let memory = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 4096)
            defer { memory.deallocate() }
            // Touch every page so it is resident, a little at a time so a watcher can see it grow.
            var offset = 0
            while offset < size {
                memory.storeBytes(of: 1, toByteOffset: offset, as: UInt8.self)
                offset += 4096
                if offset % (16 << 20) == 0 { await Task.yield() }
            }
            try await Task.sleep(for: .milliseconds(Int(context.job.args["ms"]?.numberValue ?? 0)))
            return .completed
        }
        registry.register(fail) { context in
            throw JobFailure(context.job.args["message"]?.stringValue ?? "diagnostic failure", retryable: context.job.args["retryable"] != .bool(false))
        }
    }
}
