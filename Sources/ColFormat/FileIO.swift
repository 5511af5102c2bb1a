#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// A read-only file read with `pread`, counting the bytes it reads.
final class RandomAccessFile: Sendable {
    let path: String
    let fd: Int32
    let size: Int
    /// Bytes read so far by every caller (the I/O counter tests and `--explain` use).
    let bytesRead = Atomic<Int>(0)
    let reads = Atomic<Int>(0)

    init(path: String) throws(ColFileError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw .io(path: path, operation: "stat", errno: e)
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw .io(path: path, operation: "open (not a regular file)", errno: EINVAL)
        }
        self.fd = fd
        self.size = Int(st.st_size)
    }

    deinit { close(fd) }

    /// Reads exactly `count` bytes at `offset`.
    func read(at offset: Int, count: Int) throws(ColFileError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw .truncated(path: path, fileSize: size, needed: offset &+ count)
        }
        let (buf, done, failure) = readFully(fd, at: offset, count: count)
        if failure != 0 { throw .io(path: path, operation: "read", errno: failure) }
        guard done == count else { throw .truncated(path: path, fileSize: size, needed: offset + count) }
        bytesRead.add(count, ordering: .relaxed)
        reads.add(1, ordering: .relaxed)
        return buf
    }
}

/// A file written under a temporary name in the destination folder and
/// renamed into place only when finished: a failed or abandoned write leaves
/// nothing at the destination.
public final class AtomicFile {
    public let path: String
    public let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    public private(set) var offset = 0
    private var done = false

    public init(path: String) throws(ColFileError) {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var attempt = 0
        while true {
            let candidate = "\(dir).\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                self.fd = fd
                self.temporaryPath = candidate
                break
            }
            if errno != EEXIST || attempt > 8 {
                throw .io(path: path, operation: "create temporary file", errno: errno)
            }
            attempt += 1
        }
        buffer.reserveCapacity(1 << 20)
        AtomicFile.register(temporaryPath)
    }

    deinit { abort() }

    public func write<C: Collection>(_ bytes: C) throws(ColFileError) where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        offset += bytes.count
        if buffer.count >= 1 << 20 { try flush() }
    }

    public func flush() throws(ColFileError) {
        let failure = writeFully(fd, buffer)
        if failure != 0 { throw .io(path: path, operation: "write", errno: failure) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, fsyncs, and renames the file into place.
    public func commit() throws(ColFileError) {
        try flush()
        guard fsync(fd) == 0 else { throw .io(path: path, operation: "fsync", errno: errno) }
        close(fd)
        fd = -1
        guard rename(temporaryPath, path) == 0 else {
            let e = errno
            unlink(temporaryPath)
            AtomicFile.unregister(temporaryPath)
            done = true
            throw .io(path: path, operation: "rename", errno: e)
        }
        AtomicFile.unregister(temporaryPath)
        done = true
        // Make the rename itself durable.
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? "."
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// Removes the temporary file; nothing reaches the destination.
    public func abort() {
        guard !done else { return }
        done = true
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(temporaryPath)
        AtomicFile.unregister(temporaryPath)
    }

    // Temporary files still open, so that a signal handler can remove them.
    private static let pending = Mutex<Set<String>>([])
    static func register(_ p: String) { pending.withLock { _ = $0.insert(p) } }
    static func unregister(_ p: String) { pending.withLock { _ = $0.remove(p) } }

    /// Removes every temporary file still open (for an interrupt handler).
    public static func removeAllPending() {
        pending.withLock { set in
            for p in set { unlink(p) }
            set.removeAll()
        }
    }
}

/// Removes the temporary files of writes still in progress. Call it from an
/// interrupt handler before exiting, so an interrupted conversion leaves nothing behind.
public func removePendingTemporaryFiles() { AtomicFile.removeAllPending() }

/// An anonymous temporary file (unlinked at creation, gone when closed) for
/// data a writer must keep until the end without holding it in memory.
final class SpillFile {
    private let fd: Int32
    private(set) var size = 0

    init(nextTo path: String) throws(ColFileError) {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        // Created and unlinked at once: nothing is left behind, whatever happens.
        let name = "\(dir.isEmpty ? "" : dir + "/").col-spill-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 { unlink(name) }
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

/// Writes all of `bytes` to `fd` at its position (a file, a pipe, stdout),
/// retrying on EINTR and short writes. Returns the errno of a failure, or 0.
public func writeFully(_ fd: Int32, _ bytes: [UInt8]) -> Int32 {
    var written = 0
    var failure: Int32 = 0
    bytes.withUnsafeBytes { p in
        guard let base = p.baseAddress else { return }
        while written < p.count {
            let n = write(fd, base + written, p.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                return
            }
            written += n
        }
    }
    return failure
}

/// Reads up to `count` bytes at `offset` with pread, retrying on EINTR and
/// short reads. Returns the buffer, the bytes read (fewer at end of file),
/// and the errno of a failure (0 when none).
private func readFully(_ fd: Int32, at offset: Int, count: Int) -> ([UInt8], Int, Int32) {
    var buf = [UInt8](repeating: 0, count: count)
    var done = 0
    var failure: Int32 = 0
    buf.withUnsafeMutableBytes { p in
        guard let base = p.baseAddress else { return }
        while done < count {
            let n = pread(fd, base + done, count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                return
            }
            if n == 0 { break }
            done += n
        }
    }
    return (buf, done, failure)
}
