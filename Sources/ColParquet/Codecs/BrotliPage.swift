// BROTLI pages (RFC 7932, through Debian's libbrotli). Decoded in one call into the size the
// page header states plus one byte: a page that decodes past its size, or short of it, is
// refused, and the buffer is uninitialized capacity, so a forged size costs only what real
// output touches.

import CBrotli
import ColBytes

enum BrotliPage {
    /// Decodes `input` into exactly `expected` bytes, or nil.
    static func decompress(_ input: UnsafeRawBufferPointer, expected: Int) -> [UInt8]? {
        guard expected >= 0, expected < Int(Int32.max), let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var ok = false
        let out = [UInt8](ownedCapacity: expected + 1) { buffer, initialized in
            var size = expected + 1
            let result = BrotliDecoderDecompress(input.count, base, &size, buffer.baseAddress)
            ok = result == BROTLI_DECODER_RESULT_SUCCESS && size == expected
            initialized = ok ? size : 0
        }
        return ok ? out : nil
    }
}
