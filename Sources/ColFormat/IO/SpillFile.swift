#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An anonymous temporary file (unlinked at creation, gone when closed) for
/// data a writer must keep until the end without holding it in memory.
final class SpillFile {
    private let fd: Int32
    private(set) var size = 0

    /// A spill file in `dir` (the output's staging folder); `path` names the output in errors.
    init(in dir: String, for path: String) throws(ColFileError) {
        // Unnamed where the file system allows (O_TMPFILE); otherwise created and unlinked at once.
        var fd = AtomicFile.openUnnamed(in: dir, mode: 0o600) ?? -1
        if fd < 0 {
            let name = "\(dir)/.col-spill-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 { unlink(name) }
        }
        guard fd >= 0 else { throw .io(path: path, operation: "create a spill file", errno: errno) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Appends bytes; returns their offset in the spill file.
    func append(_ bytes: [UInt8]) throws(ColFileError) -> Int {
        let at = size
        let failure = writeFully(fd, bytes)
        if failure != 0 { throw .io(path: "spill file", operation: "write", errno: failure) }
        size += bytes.count
        return at
    }

    func read(at offset: Int, count: Int) throws(ColFileError) -> [UInt8] {
        let (buf, done, failure) = readFully(fd, at: offset, count: count)
        if failure != 0 || done != count { throw .io(path: "spill file", operation: "read", errno: failure == 0 ? EIO : failure) }
        return buf
    }
}
