#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// A file written under a temporary name in the destination folder and
/// renamed into place only when finished: a failed or abandoned write leaves
/// nothing at the destination.
package final class AtomicFile {
    package let path: String
    package let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    package private(set) var offset = 0
    private var done = false

    package init(path: String) throws(ColFileError) {
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

    package func write<C: Collection>(_ bytes: C) throws(ColFileError) where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        offset += bytes.count
        if buffer.count >= 1 << 20 { try flush() }
    }

    package func flush() throws(ColFileError) {
        let failure = writeFully(fd, buffer)
        if failure != 0 { throw .io(path: path, operation: "write", errno: failure) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, fsyncs, and renames the file into place.
    package func commit() throws(ColFileError) {
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
    package func abort() {
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
    package static func removeAllPending() {
        pending.withLock { set in
            for p in set { unlink(p) }
            set.removeAll()
        }
    }
}

/// Removes the temporary files of writes still in progress. Call it from an
/// interrupt handler before exiting, so an interrupted conversion leaves nothing behind.
public func removePendingTemporaryFiles() { AtomicFile.removeAllPending() }
