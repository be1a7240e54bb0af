import Foundation
import Logging
import SwitchyardCore
import SwitchyardStore

/// The executor side of ``ChildProcessExecution``: reads job lines on stdin, runs each with
/// the registry, writes one result line per job on stdout. Ends when stdin closes; dies with
/// its parent worker.
package enum JobExecutorLoop {
    /// Exits this process as soon as `parent` is no longer its parent (the worker died, even
    /// before this process got going). Call first thing: stdin alone is not a reliable signal,
    /// since a pipe's write end can outlive the worker in other processes.
    package static func exitWithParent(_ parent: Int32) {
        guard getppid() == parent else { _exit(70) }
        Thread {
            while getppid() == parent { usleep(100_000) }
            _exit(70)
        }.start()
    }

    /// Runs until stdin closes.
    package static func run(registry: JobRegistry, logger: Logger) async {        let lines = AsyncStream<String> { continuation in
            let reader = Thread {
                while let line = readLine(strippingNewline: true) { continuation.yield(line) }
                continuation.finish()
            }
            reader.start()
        }
        write(JobWire.ready)
        for await line in lines {
            let result: JobResult
            do {
                let job = try JobWire.job(from: line)
                result = await JobInvocation.run(job, registry: registry, logger: logger)
            } catch {
                result = .failed(error.message, discard: false)
            }
            write(JobWire.response(result))
        }
    }

    private static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
