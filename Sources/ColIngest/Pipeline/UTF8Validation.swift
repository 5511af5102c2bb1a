// UTF-8 checks shared by the CSV and JSON readers.

/// Checks that bytes are valid UTF-8; returns the offset of the first invalid byte, or nil.
func firstInvalidUTF8<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8, C.Index == Int {
    var i = bytes.startIndex
    let end = bytes.endIndex
    while i < end {
        let b = bytes[i]
        if b < 0x80 { i += 1; continue }
        var need = 0
        var minScalar: UInt32 = 0
        var scalar: UInt32 = 0
        switch b {
        case 0xC2...0xDF: need = 1; scalar = UInt32(b & 0x1F); minScalar = 0x80
        case 0xE0...0xEF: need = 2; scalar = UInt32(b & 0x0F); minScalar = 0x800
        case 0xF0...0xF4: need = 3; scalar = UInt32(b & 0x07); minScalar = 0x10000
        default: return i - bytes.startIndex
        }
        if i + need >= end { return i - bytes.startIndex }
        for k in 1...need {
            let c = bytes[i + k]
            guard c & 0xC0 == 0x80 else { return i - bytes.startIndex }
            scalar = scalar << 6 | UInt32(c & 0x3F)
        }
        if scalar < minScalar || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i - bytes.startIndex }
        i += need + 1
    }
    return nil
}

/// True when any byte has its high bit set (the text is not plain ASCII).
@inline(__always) func hasHighBit(_ bytes: [UInt8]) -> Bool {
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
func replacingInvalidUTF8(_ bytes: [UInt8]) -> [UInt8] {
    Array(String(decoding: bytes, as: UTF8.self).utf8)
}
