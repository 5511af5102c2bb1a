// ColCLI: the commands behind `colconv` and `colprof`. Each executable is one
// call into this module (`Colconv.main()`, `Colprof.main()`); everything that
// speaks in flags, prints to the terminal or decides an exit status is here,
// so the libraries below speak in their own terms.

#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import ColParquet
import ColPostgres
import ColFormat
import ColIngest
import ColProfile
import ColScan

/// A mistake on the command line, worded for the terminal (exit 2).
struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// The drift gate failed; the report is already printed (exit 1).
struct GateFailure: Error {}

/// A failure already worded in full (exit 2).
struct ReportedFailure: Error {
    let message: String
}

/// Runs a command and maps its outcome to an exit status, the same way for every tool:
/// 0 success (and `--help`, `--version`), 1 a failed drift gate, 2 usage, I/O and input errors.
enum CommandRunner {
    static func main<Command: ParsableCommand>(_ command: Command.Type, tool: String) -> Never {
        raiseOpenFileLimit()
        do {
            var c = try Command.parseAsRoot()
            try c.run()
            exit(0)
        } catch {
            let (message, status) = outcome(of: error, tool: tool, command: command)
            if let message {
                if status == 0 { print(message) } else { printError(message) }
            }
            exit(status)
        }
    }

    /// Raises the soft limit on open files to the hard one. A dataset keeps one descriptor per
    /// part open (its footer is read at open, its sketches and blocks later), and the usual soft
    /// limit of 1,024 made `colprof` fail on a dataset of more than about 1,020 parts.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(resource, &limit)
    }

    /// What to print for an error, and the exit status.
    static func outcome<Command: ParsableCommand>(of error: Error, tool: String, command: Command.Type) -> (String?, Int32) {
        switch error {
        case is GateFailure: return (nil, 1)
        case let e as UsageError: return ("\(tool): \(e.message)", 2)
        case let e as ReportedFailure: return (e.message, 2)
        case let e as IngestError: return ("\(tool): \(e.rendered(naming: FlagNames.flag))", 2)
        case let e as ProfileError: return ("\(tool): \(FlagNames.describe(e))", 2)
        case let e as ColFileError: return ("\(tool): \(e)", 2)
        case let e as ParquetError: return ("\(tool): \(e)", 2)
        case let e as PostgresError: return ("\(tool): \(e)", 2)
        default:
            let code = Command.exitCode(for: error)
            return (Command.fullMessage(for: error), code == .success ? 0 : 2)
        }
    }
}

/// Writes a line to standard error, unbuffered.
func printError(_ s: String) {
    var line = s
    line += "\n"
    line.withUTF8 { p in _ = write(2, p.baseAddress, p.count) }
}
