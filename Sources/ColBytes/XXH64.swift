// XXH64, the 64-bit xxHash (seed 0 unless given), written from its public
// specification. The .col format uses it for schema fingerprints, the
// source-content hash in provenance, and the value hashes that feed the
// distinct-count and frequency sketches.

/// A streaming XXH64 hasher.
public struct XXH64: Sendable {
    @usableFromInline static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    @usableFromInline static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    @usableFromInline static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    @usableFromInline static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    @usableFromInline static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var v1, v2, v3, v4: UInt64
    private let seed: UInt64
    private var total: UInt64 = 0
    private var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var buffered = 0

    /// A hasher with nothing fed yet.
    public init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ Self.p1 &+ Self.p2
        v2 = seed &+ Self.p2
        v3 = seed
        v4 = seed &- Self.p1
    }

    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        var a = acc &+ input &* p2
        a = (a << 31) | (a >> 33)
        return a &* p1
    }

    @inline(__always) static func mergeRound(_ acc: UInt64, _ val: UInt64) -> UInt64 {
        (acc ^ round(0, val)) &* p1 &+ p4
    }

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    /// Hashes a whole buffer in one call: stripes and tail straight from memory
    /// (no streaming state), so short values, the common case, cost little.
    public static func hash(_ raw: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let n = raw.count
        var i = 0
        var h: UInt64
        if n >= 32 {
            var v1 = seed &+ p1 &+ p2, v2 = seed &+ p2, v3 = seed, v4 = seed &- p1
            while n - i >= 32 {
                v1 = round(v1, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                v2 = round(v2, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)))
                v3 = round(v3, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)))
                v4 = round(v4, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)))
                i += 32
            }
            h = converge(v1, v2, v3, v4)
        } else {
            h = seed &+ p5
        }
        h &+= UInt64(n)
        return finish(h, tail: UnsafeRawBufferPointer(rebasing: raw[i..<n]))
    }

    /// The four lanes folded into one.
    @inline(__always) static func converge(_ v1: UInt64, _ v2: UInt64, _ v3: UInt64, _ v4: UInt64) -> UInt64 {
        var h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
        h = mergeRound(h, v1)
        h = mergeRound(h, v2)
        h = mergeRound(h, v3)
        return mergeRound(h, v4)
    }

    /// Mixes in the last bytes (fewer than 32), then the final avalanche.
    @inline(__always) static func finish(_ start: UInt64, tail raw: UnsafeRawBufferPointer) -> UInt64 {
        var h = start
        var i = 0
        let n = raw.count
        while n - i >= 8 {
            let k = round(0, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            h ^= k
            h = rotl(h, 27) &* p1 &+ p4
            i += 8
        }
        if n - i >= 4 {
            let k = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
            h ^= k &* p1
            h = rotl(h, 23) &* p2 &+ p3
            i += 4
        }
        while i < n {
            h ^= UInt64(raw[i]) &* p5
            h = rotl(h, 11) &* p1
            i += 1
        }
        h ^= h >> 33
        h &*= p2
        h ^= h >> 29
        h &*= p3
        h ^= h >> 32
        return h
    }

    /// Hashes a byte collection in one call.
    public static func hash<C: Collection>(_ bytes: C, seed: UInt64 = 0) -> UInt64 where C.Element == UInt8 {
        if let r = bytes.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0), seed: seed) }) {
            return r
        }
        return Array(bytes).withUnsafeBytes { hash($0, seed: seed) }
    }

    /// Feeds more bytes.
    public mutating func update(_ raw: UnsafeRawBufferPointer) {
        var i = 0
        let n = raw.count
        total &+= UInt64(n)
        // Fill a partial stripe left from the last call.
        if buffered > 0 {
            withUnsafeMutableBytes(of: &buffer) { buf in
                while buffered < 32 && i < n {
                    buf[buffered] = raw[i]
                    buffered += 1
                    i += 1
                }
            }
            if buffered < 32 { return }
            withUnsafeBytes(of: buffer) { buf in consumeStripe(buf, at: 0) }
            buffered = 0
        }
        while n - i >= 32 {
            consumeStripe(raw, at: i)
            i += 32
        }
        if i < n {
            withUnsafeMutableBytes(of: &buffer) { buf in
                while i < n {
                    buf[buffered] = raw[i]
                    buffered += 1
                    i += 1
                }
            }
        }
    }

    @inline(__always) private mutating func consumeStripe(_ raw: UnsafeRawBufferPointer, at i: Int) {
        v1 = Self.round(v1, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
        v2 = Self.round(v2, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)))
        v3 = Self.round(v3, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)))
        v4 = Self.round(v4, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)))
    }

    /// The hash of everything fed so far.
    public func finalize() -> UInt64 {
        var h = total >= 32 ? Self.converge(v1, v2, v3, v4) : seed &+ Self.p5
        h &+= total
        return withUnsafeBytes(of: buffer) { raw in Self.finish(h, tail: UnsafeRawBufferPointer(rebasing: raw[0..<buffered])) }
    }
}

/// Mixes a 64-bit value into a well-distributed 64-bit hash (the
/// SplitMix64 finalizer). Used for fixed-width values: integers, dates,
/// timestamps, and the bit patterns of doubles.
@inlinable public func mix64(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
