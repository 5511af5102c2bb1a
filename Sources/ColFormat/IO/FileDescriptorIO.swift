#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes all of `bytes` to `fd` at its position (a file, a pipe, stdout),
/// retrying on EINTR and short writes. Returns the errno of a failure, or 0.
package func writeFully(_ fd: Int32, _ bytes: [UInt8]) -> Int32 {
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
func readFully(_ fd: Int32, at offset: Int, count: Int) -> ([UInt8], Int, Int32) {
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
