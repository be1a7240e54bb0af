import Foundation
import Synchronization

/// Collects a child process's output as it arrives; safe to read from any task.
final class OutputBuffer: Sendable {
    private let data = Mutex(Data())
    private let closed = Mutex(false)

    /// Adds what the pipe gave; an empty chunk is the end of the stream.
    func append(_ chunk: Data) {
        if chunk.isEmpty {
            closed.withLock { $0 = true }
        } else {
            data.withLock { $0.append(chunk) }
        }
    }

    /// Whether the stream has ended (the writer and every process sharing the pipe closed it).
    var isClosed: Bool { closed.withLock { $0 } }

    var text: String {
        data.withLock { String(decoding: $0, as: UTF8.self) }
    }
}
