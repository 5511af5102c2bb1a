import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport

/// A real PostgreSQL server for the tests, started once per test process.
///
/// Debian's `postgresql` package is installed when `initdb` is missing. The
/// cluster lives in a temporary folder, runs as an unprivileged user (the
/// package's `postgres` when the tests run as root: PostgreSQL refuses to run
/// as root), listens only on a Unix socket in that folder, and asks for a
/// password (scram-sha-256), so that a wrong one can be tested. It is stopped
/// when the test process exits.
final class PostgresServer: @unchecked Sendable {
    static let password = "colconv-test-pw"
    static let lock = NSLock()
    nonisolated(unsafe) static var started: PostgresServer?
    nonisolated(unsafe) static var failure: String?

    let folder: String
    let socketFolder: String
    let port = 5432
    let bin: String
    let runAs: [String]

    /// The connection URI of database `db` (created by `database(_:)`).
    func uri(_ db: String = "postgres") -> String {
        "postgresql://postgres@/\(db)?host=\(socketFolder)&port=\(port)"
    }

    /// The environment a client needs: the password, and UTC for timestamps.
    var environment: [String: String] { ["PGPASSWORD": Self.password, "PGTZ": "UTC"] }

    /// Runs SQL with psql (unaligned, tuples only, `|` between fields) and returns its output.
    func psql(_ sql: String, db: String = "postgres") throws -> String {
        let r = try CLI.runProcess("/usr/bin/env", ["psql", "-X", "-q", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1", "-d", uri(db), "-c", sql],
                                   in: "/", environment: environment)
        guard r.status == 0 else { throw Failure("psql \(sql): \(r.stderr)") }
        return r.stdout
    }

    /// A fresh database for one test.
    func database(_ name: String) throws -> String {
        _ = try psql("DROP DATABASE IF EXISTS \(name)")
        _ = try psql("CREATE DATABASE \(name)")
        return uri(name)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The server, started on first use.
    static func shared() throws -> PostgresServer {
        lock.lock()
        defer { lock.unlock() }
        if let started { return started }
        if let failure { throw Failure(failure) }
        do {
            let server = try PostgresServer()
            started = server
            atexit { PostgresServer.started?.stop() }
            return server
        } catch {
            failure = "\(error)"
            throw error
        }
    }

    private init() throws {
        bin = try Self.installedBin()
        runAs = getuid() == 0 ? ["runuser", "-u", "postgres", "--"] : []
        // Under /tmp, which the server's user can reach whatever TMPDIR says.
        folder = "/tmp/col-pg-\(getpid())"
        socketFolder = folder + "/socket"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: socketFolder, withIntermediateDirectories: true)
        let passwordFile = folder + "/pw"
        try Self.password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        if getuid() == 0 {
            _ = try CLI.runProcess("/usr/bin/env", ["chown", "-R", "postgres", folder], in: "/")
        }
        var r = try CLI.runProcess("/usr/bin/env", runAs + ["\(bin)/initdb", "-D", folder + "/data", "-U", "postgres", "-A", "scram-sha-256",
                                                            "--pwfile", passwordFile, "-E", "UTF8", "--locale", "C"], in: "/")
        guard r.status == 0 else { throw Failure("initdb: \(r.stdout) \(r.stderr)") }
        // The server outlives pg_ctl and inherits its output: through pipes, reading them would never end,
        // so pg_ctl runs with its output in files (runChild).
        let started = try runChild("/usr/bin/env", runAs + ["\(bin)/pg_ctl", "-D", folder + "/data", "-l", folder + "/server.log", "-w", "-t", "60",
                                                            "-o", "-k \(socketFolder) -p \(port) -c listen_addresses='' -c fsync=off", "start"],
                                   in: NSTemporaryDirectory())
        guard started.status == 0 else {
            let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
            throw Failure("pg_ctl start: \(started.stdout) \(started.stderr) \(log)")
        }
    }

    func stop() {
        _ = try? runChild("/usr/bin/env", runAs + ["\(bin)/pg_ctl", "-D", folder + "/data", "-m", "immediate", "-w", "stop"], in: NSTemporaryDirectory())
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The folder of initdb and pg_ctl, installing Debian's postgresql package when there is none.
    static func installedBin() throws -> String {
        func find() -> String? {
            let root = "/usr/lib/postgresql"
            let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
            return versions.map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
        }
        return try DebianPackages.ensure(["postgresql", "postgresql-client"], find: find)
    }
}
