// GZIP pages (parquet-format Compression.md: RFC 1952, through zlib). A page may hold several
// gzip members one after another (some writers flush per buffer); each is inflated in turn.
// The output is bounded by the page header's uncompressed size (an i32): a page that inflates
// past it, or stops short of it, is refused. The buffer is uninitialized capacity, so a forged
// size costs only the pages that real output touches.

import ColBytes
import CZlib

enum Gzip {
    /// Inflates `input` (one or more gzip or zlib members) into exactly `expected` bytes, or nil.
    static func decompress(_ input: UnsafeRawBufferPointer, expected: Int) -> [UInt8]? {
        guard expected >= 0, expected < Int(Int32.max) else { return nil }
        if expected == 0 && input.isEmpty { return [] }
        guard let inBase = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var stream = z_stream()
        // 15 + 32: the largest window, and the header (gzip or zlib) detected automatically.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var ok = false
        // One byte more than the page says: output that reaches it shows the page inflates past its size.
        let out = [UInt8](ownedCapacity: expected + 1) { buffer, initialized in
            guard let outBase = buffer.baseAddress else { return }
            var consumed = 0, produced = 0
            while produced <= expected {
                stream.next_in = UnsafeMutablePointer(mutating: inBase + consumed)
                stream.avail_in = UInt32(input.count - consumed)
                stream.next_out = outBase + produced
                stream.avail_out = UInt32(expected + 1 - produced)
                let before = (Int(stream.avail_in), Int(stream.avail_out))
                let status = inflate(&stream, Z_NO_FLUSH)
                consumed += before.0 - Int(stream.avail_in)
                produced += before.1 - Int(stream.avail_out)
                if status == Z_STREAM_END {
                    // Another member follows, or only zero padding, or nothing.
                    if input[consumed...].allSatisfy({ $0 == 0 }) {
                        ok = produced == expected
                        break
                    }
                    guard inflateReset(&stream) == Z_OK else { break }
                } else if status != Z_OK || (before.0 == Int(stream.avail_in) && before.1 == Int(stream.avail_out)) {
                    break  // corrupt, or the input ends inside a member
                }
            }
            initialized = ok ? expected : 0
        }
        return ok ? out : nil
    }
}
