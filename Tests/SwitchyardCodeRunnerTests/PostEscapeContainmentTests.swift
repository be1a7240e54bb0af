import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardCodeRunner

#if canImport(Glibc)
import Glibc
#endif

/// Defence in depth: assume a job has escaped its `vm` context and holds the runtime's real
/// `process` and `require`. These programs run as the sandbox's main script under the same
/// command the runner uses, and each attack must still be contained. A second layer of tests
/// drops Node's permission model too, to show bubblewrap alone holds.
@Suite(.enabled(if: SandboxEnvironment.available, "needs node and bubblewrap"))
struct PostEscapeContainmentTests {
    /// The attacks; each records the error code it met, or `ALLOWED: …`.
    static func hostileScript(enginePort: Int, hostPID: Int32, marker: String) -> String {
        """
        'use strict';
        const report = {};
        const attempt = async (name, fn) => {
          try { report[name] = 'ALLOWED: ' + String(await fn()).slice(0, 200) }
          catch (e) { report[name] = (e && (e.code || e.name)) || String(e) }
        };
        const fail = (code) => { throw Object.assign(new Error(code), { code }) };
        (async () => {
          await attempt('readPasswd', () => require('fs').readFileSync('/etc/passwd', 'utf8'));
          await attempt('readInitEnviron', () => require('fs').readFileSync('/proc/1/environ', 'utf8'));
          // bubblewrap sets PWD to the sandbox's working directory (/tmp); nothing else may be there.
          await attempt('ownEnv', () => {
            const env = Object.entries(process.env).filter(([k, v]) => !(k === 'PWD' && v === '/tmp'));
            return env.length ? env.map(([k]) => k).join(',') : fail('EMPTY');
          });
          await attempt('writeTmp', () => { require('fs').writeFileSync('/tmp/x', 'x'); return 'written' });
          await attempt('writeUsr', () => { require('fs').writeFileSync('/usr/lib/switchyard-evil', 'x'); return 'written' });
          await attempt('spawnShell', () => require('child_process').execSync('id').toString());
          await attempt('binding', () => typeof process.binding('spawn_sync'));
          await attempt('dlopen', () => process.dlopen({ exports: {} }, '/usr/lib/x86_64-linux-gnu/libc.so.6'));
          await attempt('worker', () => { new (require('worker_threads').Worker)('1', { eval: true }); return 'started' });
          await attempt('tcpEngine', () => new Promise((resolve, reject) => {
            const socket = require('net').connect(\(enginePort), '127.0.0.1');
            socket.on('connect', () => { socket.destroy(); resolve('connected') });
            socket.on('error', reject);
          }));
          await attempt('interfaces', () => {
            const names = Object.keys(require('os').networkInterfaces());
            return names.length === 0 ? fail('NO_INTERFACES') : names.every((n) => n === 'lo') ? fail('LOOPBACK_ONLY') : names.join(',');
          });
          await attempt('dns', () => new Promise((resolve, reject) => require('dns').lookup('localhost', { family: 4 }, (e, a) => e ? reject(e) : resolve(a))));
          await attempt('signalHost', () => { process.kill(\(hostPID), 0); return 'host process visible' });
          await attempt('forkBomb', () => {
            require('child_process').spawn('\(SharedRunner.settings.nodePath)', ['-e', 'setInterval(() => {}, 1000)', '\(marker)'], { stdio: 'ignore' });
            return 'spawned';
          });
          await attempt('uid', () => process.getuid());
          process.stdout.write(JSON.stringify(report) + '\\n');
          setInterval(() => {}, 1000);
        })();
        """
    }

    /// Runs the hostile script in a sandbox; `nodeLayer` false drops Node's own restrictions.
    private func attack(nodeLayer: Bool, enginePort: Int, marker: String) async throws -> (report: [String: String], process: Process) {
        let directory = NSTemporaryDirectory() + "switchyard-escape-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = Self.hostileScript(enginePort: enginePort, hostPID: getpid(), marker: marker)
        try Data(script.utf8).write(to: URL(fileURLWithPath: directory + "/runner.js"))
        var command = SandboxCommand(settings: SharedRunner.settings, runtimeDirectory: directory)
        if !nodeLayer {
            let node = try #require(command.arguments.lastIndex(of: SharedRunner.settings.nodePath))
            command.arguments = Array(command.arguments[...node]) + ["\(SandboxCommand.runtimeMount)/runner.js"]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command.executable)
        process.arguments = command.arguments
        process.environment = ["SWITCHYARD_SECRET_CANARY": "must-not-be-seen"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        let line = await Task.detached {
            var data = Data()
            while !data.contains(0x0A) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
            }
            return data
        }.value
        let report = try JSONDecoder().decode([String: String].self, from: line)
        return (report, process)
    }

    private func withListeningSocket<T>(_ body: (Int) async throws -> T) async throws -> T {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        try #require(ok)
        return try await body(Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func afterAVMEscapeEveryAttackIsStillContained() async throws {
        try await withListeningSocket { port in
            let (report, process) = try await attack(nodeLayer: true, enginePort: port, marker: "m-\(UUID().uuidString)")
            defer { process.terminate() }
            #expect(report["readPasswd"] == "ERR_ACCESS_DENIED")
            #expect(report["readInitEnviron"] == "ERR_ACCESS_DENIED")
            #expect(report["ownEnv"] == "EMPTY")
            #expect(report["writeTmp"] == "ERR_ACCESS_DENIED")
            #expect(report["writeUsr"] == "ERR_ACCESS_DENIED")
            #expect(report["spawnShell"] == "ERR_ACCESS_DENIED")
            #expect(report["binding"] == "ERR_ACCESS_DENIED")
            #expect(report["dlopen"] == "ERR_DLOPEN_DISABLED")
            #expect(report["worker"] == "ERR_ACCESS_DENIED")
            #expect(report["forkBomb"] == "ERR_ACCESS_DENIED")
            #expect(report["tcpEngine"] == "ECONNREFUSED", "the engine's port on the host loopback must be unreachable")
            #expect(report["interfaces"] == "LOOPBACK_ONLY" || report["interfaces"] == "NO_INTERFACES")
            #expect(report["dns"]?.hasPrefix("ALLOWED") == false)
            #expect(report["signalHost"] == "ESRCH", "the runner's process must be invisible")
            #expect(report["uid"] == "ALLOWED: 65534")
        }
    }

    @Test func bubblewrapAloneContainsAProcessWithFullNodeAccess() async throws {
        let marker = "switchyard-escape-marker-\(UUID().uuidString)"
        try await withListeningSocket { port in
            let (report, process) = try await attack(nodeLayer: false, enginePort: port, marker: marker)
            #expect(report["readPasswd"] == "ENOENT", "no /etc in the sandbox root")
            #expect(report["readInitEnviron"] == "ALLOWED: ", "PID 1 is the sandbox's own, with an empty environment")
            #expect(report["ownEnv"] == "EMPTY", "the runner's environment is not inherited")
            #expect(report["writeTmp"] == "ALLOWED: written", "a private tmpfs")
            #expect(report["writeUsr"] == "EROFS")
            #expect(report["spawnShell"] == "ENOENT", "no shell in the sandbox root")
            #expect(report["tcpEngine"] == "ECONNREFUSED")
            #expect(report["interfaces"] == "LOOPBACK_ONLY" || report["interfaces"] == "NO_INTERFACES")
            #expect(report["dns"]?.hasPrefix("ALLOWED") == false)
            #expect(report["signalHost"] == "ESRCH")
            #expect(report["uid"] == "ALLOWED: 65534")
            #expect(report["forkBomb"] == "ALLOWED: spawned", "without Node's permission model a child starts, inside the PID namespace")
            #expect(!FileManager.default.fileExists(atPath: "/usr/lib/switchyard-evil"))
            // Killing the sandbox takes every process in it along.
            kill(process.processIdentifier, SIGKILL)
            await ProcessLaunch.waitForExit(process)
            try await Task.sleep(for: .milliseconds(500))
            let survivors = processes(matching: marker)
            #expect(survivors.isEmpty, "sandbox children outlived the sandbox: \(survivors)")
        }
    }

    private func processes(matching marker: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { $0.allSatisfy(\.isNumber) }.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let cmdline = String(decoding: data, as: UTF8.self)
            return cmdline.contains(marker) ? pid : nil
        }
    }
}
