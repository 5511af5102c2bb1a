/// Packs unsigned integers of a fixed bit width (0...64), LSB-first, into
/// bytes: value i occupies bits [i·w, (i+1)·w) of the little-endian bit stream.
/// `n` values take exactly ⌈n·w/8⌉ bytes.
package enum BitPacking {
    /// The bits needed for values up to `maxValue`.
    @inlinable package static func width(_ maxValue: UInt64) -> Int { 64 - maxValue.leadingZeroBitCount }

    /// The bytes that `count` values of `width` bits take.
    @inlinable package static func byteCount(count: Int, width: Int) -> Int { (count * width + 7) / 8 }

    /// Appends `count` values, each `value(i)`, packed at `width` bits.
    @inlinable package static func pack(count: Int, width: Int, into w: inout ByteWriter, _ value: (Int) -> UInt64) {
        guard width > 0, count > 0 else { return }
        let start = w.count
        var acc: UInt64 = 0
        var bits = 0
        for i in 0..<count {
            let v = value(i)
            acc |= v << UInt64(bits)
            if bits + width >= 64 {
                w.write(acc)
                let used = 64 - bits
                acc = used < 64 ? v >> UInt64(used) : 0
                bits = bits + width - 64
            } else {
                bits += width
            }
        }
        var rest = (bits + 7) / 8
        while rest > 0 {
            w.write(UInt8(truncatingIfNeeded: acc))
            acc >>= 8
            rest -= 1
        }
        assert(w.count - start == byteCount(count: count, width: width))
    }

    /// Unpacks `count` values from `r`, calling `sink` with each in order.
    @inlinable package static func unpack(
        count: Int, width: Int, from r: inout ByteReader, _ sink: (Int, UInt64) -> Void
    ) throws(BinaryDecodingError) {
        guard count > 0 else { return }
        guard width > 0 else {
            for i in 0..<count { sink(i, 0) }
            return
        }
        let n = byteCount(count: count, width: width)
        let raw = try r.readRaw(n)
        var padded = [UInt8](repeating: 0, count: n + 16)
        padded.replaceSubrange(0..<n, with: raw)
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        padded.withUnsafeBytes { p in
            for i in 0..<count {
                let bit = i * width
                let byte = bit >> 3
                let shift = UInt64(bit & 7)
                var v = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) >> shift
                if shift > 0 && UInt64(width) + shift > 64 {
                    v |= UInt64(p[byte + 8]) << (64 - shift)
                }
                sink(i, v & mask)
            }
        }
    }

    /// Unpacks `count` values of `width` bits from `r` into `out[0..<count]` (initialized or not).
    ///
    /// The block decoder of the read path: the bytes are checked once, then each value is one
    /// unaligned 8-byte load, a shift and a mask, with no call and no bounds check per value.
    /// Loads stay inside the packed bytes: the last values, whose 8 bytes would run past them,
    /// are gathered a byte at a time. `unpack(count:width:from:_:)` is the simple form.
    @inlinable package static func unpack(
        count: Int, width: Int, from r: inout ByteReader, into out: UnsafeMutablePointer<UInt64>
    ) throws(BinaryDecodingError) {
        guard count > 0 else { return }
        guard width > 0 else {
            out.initialize(repeating: 0, count: count)
            return
        }
        let n = byteCount(count: count, width: width)
        let raw = try r.readRaw(n)
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        raw.withUnsafeBytes { p in
            guard let base = p.baseAddress else { return }
            // Value i reads bytes [bit/8, bit/8 + 9) at most; the first `safe` values stay within n.
            let safe = n >= 9 ? Swift.min(count, ((n - 9) * 8) / width + 1) : 0
            if width <= 56 {
                // Every value fits in the 8 bytes from its first.
                for i in 0..<safe {
                    let bit = i &* width
                    let v = UInt64(littleEndian: (base + (bit &>> 3)).loadUnaligned(as: UInt64.self)) &>> UInt64(bit & 7)
                    (out + i).initialize(to: v & mask)
                }
            } else {
                for i in 0..<safe {
                    let bit = i &* width
                    let byte = bit &>> 3
                    let shift = UInt64(bit & 7)
                    var v = UInt64(littleEndian: (base + byte).loadUnaligned(as: UInt64.self)) &>> shift
                    if shift > 0 { v |= UInt64((base + byte + 8).load(as: UInt8.self)) &<< (64 &- shift) }
                    (out + i).initialize(to: v & mask)
                }
            }
            for i in safe..<count {
                let bit = i * width
                var v: UInt64 = 0
                var k = 0
                while k < 9 && (bit >> 3) + k < n {
                    let b = UInt64(p[(bit >> 3) + k])
                    if k < 8 { v |= (b << UInt64(8 * k)) >> UInt64(bit & 7) } else if bit & 7 > 0 { v |= b << UInt64(64 - (bit & 7)) }
                    k += 1
                }
                (out + i).initialize(to: v & mask)
            }
        }
    }
}
