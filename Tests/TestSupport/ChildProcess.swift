// Runs a built tool as a child and reports its own peak RSS. Foundation's
// Process does not report it, and a child spawned straight from the test
// process inherits the test's high-water mark: Linux carries the pre-exec
// image's peak RSS across execve, and posix_spawn's child shares the parent's
// memory until it execs. So a small python3 launcher (a few MiB) runs the tool
// and writes the tool's exit status and its RUSAGE_CHILDREN peak to a file.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished child did.
public struct ChildResult: Sendable {
    /// The exit status, or 128 + the signal number when a signal ended it.
    public var status: Int32
    /// True when a signal ended it.
    public var signaled: Bool
    /// Its standard output and error.
    public var stdout: String, stderr: String
    /// Its peak resident set, in bytes.
    public var peakRSS: Int
}

/// Runs `executable` with `arguments` (paths in them absolute), with `environment` added to this process's; its output is staged in `directory`.
public func runChild(_ executable: String, _ arguments: [String], in directory: String,
                     environment: [String: String] = [:]) throws -> ChildResult {
    let out = directory + "/.child-stdout-\(UUID().uuidString)", err = directory + "/.child-stderr-\(UUID().uuidString)"
    defer { unlink(out); unlink(err) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    var env = ProcessInfo.processInfo.environment
    env["COLUMNS"] = "100"
    for (k, v) in environment { env[k] = v }
    let report = directory + "/.child-rusage-\(UUID().uuidString)"
    defer { unlink(report) }
    let launcher = """
    import resource, subprocess, sys
    r = subprocess.run(sys.argv[2:])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    open(sys.argv[1], "w").write(f"{r.returncode} {peak}")
    """
    let argv = (["python3", "-c", launcher, report, executable] + arguments).map { strdup($0) } + [nil]
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawnp(&pid, "python3", &actions, nil, argv, envp)
    guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let fields = (FileManager.default.contents(atPath: report).map { String(decoding: $0, as: UTF8.self) } ?? "")
        .split(separator: " ").compactMap { Int($0) }
    guard fields.count == 2 else { throw POSIXError(.ECHILD) }
    let signaled = fields[0] < 0
    let code = Int32(signaled ? 128 - fields[0] : fields[0])
    let peak = fields[1]
    let o = FileManager.default.contents(atPath: out) ?? Data(), e = FileManager.default.contents(atPath: err) ?? Data()
    return ChildResult(status: code, signaled: signaled, stdout: String(decoding: o, as: UTF8.self),
                       stderr: String(decoding: e, as: UTF8.self), peakRSS: peak * 1024)
}

/// The built binary `name` (debug first, then release).
public func builtTool(_ name: String) -> String {
    for dir in [".build/debug", ".build/release"] where FileManager.default.isExecutableFile(atPath: "\(Paths.root)/\(dir)/\(name)") {
        return "\(Paths.root)/\(dir)/\(name)"
    }
    return "\(Paths.root)/.build/debug/\(name)"
}
