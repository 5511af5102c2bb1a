// ZSTD pages. Parquet writers that stream (parquet-rs, parquet-mr through zstd-jni) may leave
// the frame's content size out, which the .col block decoder requires; a page is instead
// decompressed into the size its header states, plus one byte that a page inflating past it
// would reach, and must come to exactly that size.

import ColBytes
import CZstd

enum ZstdPage {
    /// Decompresses `input` (one or more frames) into exactly `expected` bytes, or nil.
    static func decompress(_ input: UnsafeRawBufferPointer, expected: Int) -> [UInt8]? {
        guard expected >= 0, expected < Int(Int32.max) else { return nil }
        var n = 0
        let out = [UInt8](ownedCapacity: expected + 1) { buffer, initialized in
            n = ZSTD_decompress(buffer.baseAddress, expected + 1, input.baseAddress, input.count)
            initialized = ZSTD_isError(n) == 0 ? n : 0
        }
        return ZSTD_isError(n) == 0 && n == expected ? out : nil
    }
}
