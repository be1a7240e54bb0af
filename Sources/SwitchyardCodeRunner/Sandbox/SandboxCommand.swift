/// The command line that starts one sandbox process.
///
/// Layers, outermost first: an empty environment (`env -i`); rlimits (`prlimit`: data segment = the memory limit, 64 open files,
/// 1 MB files, no core dumps, a CPU-time backstop); bubblewrap (new user, PID, network, IPC, UTS,
/// cgroup and mount namespaces; uid 65534; all capabilities dropped; a root with only the Node
/// binary, shared libraries, the read-only runtime script, a private `/tmp`, `/proc` and `/dev`;
/// an empty environment; killed with its parent); Node's permission model (no file system beyond
/// the runtime script, no child processes, workers or native addons); and no code generation from
/// strings in the runtime's realm, so a job cannot reach the runtime's `process` object.
struct SandboxCommand: Equatable {
    var executable: String
    var arguments: [String]

    /// Where the runtime directory is mounted inside the sandbox.
    static let runtimeMount = "/runner"

    init(settings: CodeRunnerSettings, runtimeDirectory: String, prlimitPath: String = "/usr/bin/prlimit", envPath: String = "/usr/bin/env") {
        // Half the limit for V8's heap leaves room for code, buffers and V8's own bookkeeping, so
        // a growing heap meets V8's clean out-of-memory abort before the data rlimit.
        let heapMB = max(16, settings.memoryLimitBytes / (1024 * 1024) / 2)
        let inside: String
        var command: [String]
        switch settings.isolation {
        case .bubblewrap(let bwrap):
            inside = Self.runtimeMount
            command = [
                bwrap,
                "--unshare-all", "--die-with-parent", "--new-session", "--clearenv", "--cap-drop", "ALL",
                "--uid", "65534", "--gid", "65534",
                "--ro-bind", settings.nodePath, settings.nodePath,
                "--ro-bind", "/usr/lib", "/usr/lib",
                "--ro-bind-try", "/usr/lib64", "/usr/lib64",
                "--symlink", "usr/lib", "/lib",
                "--symlink", "usr/lib64", "/lib64",
                "--ro-bind", runtimeDirectory, inside,
                "--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev", "--chdir", "/tmp",
                "--",
            ]
        case .unsafeNoSandbox:
            inside = runtimeDirectory
            command = []
        }
        command += [
            settings.nodePath,
            "--max-old-space-size=\(heapMB)",
            "--disallow-code-generation-from-strings",
            "--experimental-permission", "--allow-fs-read=\(inside)/runner.js",
            "--experimental-vm-modules", "--no-warnings",
            "\(inside)/runner.js",
        ]
        // `env -i` first: bubblewrap's own helper is PID 1 inside the sandbox and its environment
        // is readable there, so nothing may reach it, whoever starts the sandbox.
        executable = envPath
        arguments = [
            "-i", prlimitPath, "--data=\(settings.memoryLimitBytes)", "--nofile=64", "--fsize=1048576", "--core=0", "--cpu=3600", "--",
        ] + command
    }
}
