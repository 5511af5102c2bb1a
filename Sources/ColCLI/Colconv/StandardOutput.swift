#if canImport(Glibc)
import Glibc
#endif
import ColFormat

/// A .col file written to standard output is staged in a temporary file
/// first, because its footer is written last.
enum StandardOutput {
    /// A path in `$TMPDIR` (or /tmp) for the staged file.
    static func stagingPath() -> String {
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        return "\(dir)/colconv-stdout-\(getpid()).col"
    }

    /// Copies the staged file to standard output and removes it.
    static func copy(_ path: String) throws {
        defer { unlink(path) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReportedFailure(message: "colconv: \(path): cannot reopen") }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            let failure = writeFully(1, Array(buf[0..<n]))
            guard failure == 0 else { throw ReportedFailure(message: "colconv: stdout: write failed: \(String(cString: strerror(failure)))") }
        }
    }
}
