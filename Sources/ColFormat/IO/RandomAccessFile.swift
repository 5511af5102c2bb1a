#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// A read-only file read with `pread`, counting the bytes it reads.
package final class RandomAccessFile: Sendable {
    package let path: String
    let fd: Int32
    package let size: Int
    /// Bytes read so far by every caller (the I/O counter tests and `--explain` use).
    let bytesRead = Atomic<Int>(0)
    let reads = Atomic<Int>(0)

    package init(path: String) throws(ColFileError) {
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
    package func read(at offset: Int, count: Int) throws(ColFileError) -> [UInt8] {
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
