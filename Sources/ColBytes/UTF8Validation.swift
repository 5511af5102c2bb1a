// UTF-8 checks shared by the CSV and JSON readers and the page decoder.

/// Checks that bytes are valid UTF-8; returns the offset of the first invalid byte, or nil.
package func firstInvalidUTF8<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8, C.Index == Int {
    var i = bytes.startIndex
    let end = bytes.endIndex
    while i < end {
        if bytes[i] < 0x80 { i += 1; continue }
        guard let length = utf8SequenceLength(bytes, at: i) else { return i - bytes.startIndex }
        i += length
    }
    return nil
}

/// The same check on memory, skipping ASCII 8 bytes at a time.
package func firstInvalidUTF8(_ p: UnsafeRawBufferPointer) -> Int? {
    var i = 0
    let n = p.count
    while i < n {
        // ASCII 32 bytes at a time, then 8.
        if i + 32 <= n {
            let a = p.loadUnaligned(fromByteOffset: i, as: UInt64.self) | p.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
            let b = p.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self) | p.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
            if (a | b) & 0x8080_8080_8080_8080 == 0 { i += 32; continue }
        }
        if i + 8 <= n && p.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8; continue }
        if p[i] < 0x80 { i += 1; continue }
        guard let length = utf8SequenceLength(p, at: i) else { return i }
        i += length
    }
    return nil
}

/// The length of the valid multi-byte sequence that starts at `i` (its first byte
/// is 0x80 or above), or nil when it is not valid: an overlong form, a surrogate,
/// a scalar above U+10FFFF, a missing or wrong continuation byte.
@inline(__always)
private func utf8SequenceLength<C: Collection>(_ bytes: C, at i: Int) -> Int? where C.Element == UInt8, C.Index == Int {
    let b = bytes[i]
    var need = 0
    var minScalar: UInt32 = 0
    var scalar: UInt32 = 0
    switch b {
    case 0xC2...0xDF: need = 1; scalar = UInt32(b & 0x1F); minScalar = 0x80
    case 0xE0...0xEF: need = 2; scalar = UInt32(b & 0x0F); minScalar = 0x800
    case 0xF0...0xF4: need = 3; scalar = UInt32(b & 0x07); minScalar = 0x10000
    default: return nil
    }
    if i + need >= bytes.endIndex { return nil }
    for k in 1...need {
        let c = bytes[i + k]
        guard c & 0xC0 == 0x80 else { return nil }
        scalar = scalar << 6 | UInt32(c & 0x3F)
    }
    if scalar < minScalar || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return nil }
    return need + 1
}

/// True when any byte has its high bit set (the text is not plain ASCII).
@inline(__always) package func hasHighBit(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { p in
        var i = 0
        var acc: UInt64 = 0
        while i + 8 <= p.count {
            acc |= p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < p.count { acc |= UInt64(p[i]); i += 1 }
        return acc & 0x8080_8080_8080_8080 != 0
    }
}

/// Replaces every invalid UTF-8 sequence with U+FFFD.
package func replacingInvalidUTF8(_ bytes: [UInt8]) -> [UInt8] {
    Array(String(decoding: bytes, as: UTF8.self).utf8)
}
