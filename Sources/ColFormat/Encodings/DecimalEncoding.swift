import ColBytes

/// Decimal (code 5, docs/FORMAT.md §3.3): doubles that are exact decimals
/// (prices, scores, measurements). A u8 exponent e, the minimum of the
/// values times 10^e as i64, a u8 bit width w, then each scaled value minus
/// the minimum packed at w bits. float64 only.
enum DecimalEncoding {}

extension DecimalEncoding: FixedWidthEncoding {
    static func analyze(_ values: FixedWidthValues, scratch: EncoderScratch, budget: Int?) -> Int? {
        scratch.decimal = nil
        guard values.type == .float64 else { return nil }
        let keys = values.keys
        // Leaves each value's scaled integer in `scratch.ints` for `encode` to pack.
        guard let d = DecimalScaling.analyze(count: keys.count, into: &scratch.ints, value: { Double(bitPattern: keys[$0]) })
        else { return nil }
        scratch.decimal = d
        return 10 + BitPacking.byteCount(count: keys.count, width: d.width)
    }

    static func encode(_ values: FixedWidthValues, scratch: EncoderScratch, into page: inout ByteWriter) {
        guard let d = scratch.decimal else { return }
        let ints = scratch.ints
        page.write(UInt8(d.exponent))
        page.write(d.min)
        page.write(UInt8(d.width))
        BitPacking.pack(count: values.count, width: d.width, into: &page) { UInt64(bitPattern: ints[$0] &- d.min) }
    }

    static func decode(_ r: inout ByteReader, type: LogicalType, count k: Int, into out: UnsafeMutablePointer<UInt64>) throws(BinaryDecodingError) {
        var at = r.offset
        let e = Int(try r.readUInt8())
        guard e <= DecimalScaling.maxExponent else { throw .invalid("decimal exponent \(e)", offset: at) }
        let base = try r.read(Int64.self)
        at = r.offset
        let w = Int(try r.readUInt8())
        guard w <= 64 else { throw .invalid("bit width \(w)", offset: at) }
        try BitPacking.unpack(count: k, width: w, from: &r, into: out)
        let scale = exactPowersOfTen[e]
        for i in 0..<k { out[i] = (Double(base &+ Int64(bitPattern: out[i])) / scale).bitPattern }
    }
}

/// The arithmetic of the decimal encoding (docs/FORMAT.md §3.3, code 5).
///
/// A double x is an exact decimal at exponent e when n = round(x · 10^e) is
/// an Int64 and the decoder's computation, `Double(n) / 10^e`, gives back x
/// bit for bit. The encoder checks exactly that computation, so the encoding
/// is lossless by construction; -0, NaN and the infinities never qualify.
enum DecimalScaling {
    /// The largest exponent: 10^18 is exact in a double and 10^18 · |x| must stay below 2^63.
    static let maxExponent = 18

    /// The integer x is stored as at exponent `e`, or nil when x is not an exact decimal there.
    @inline(__always) static func scaled(_ x: Double, exponent e: Int) -> Int64? {
        let s = (x * exactPowersOfTen[e]).rounded()
        guard abs(s) < 9.0e18 else { return nil }  // false for NaN too
        let n = Int64(s)
        return (Double(n) / exactPowersOfTen[e]).bitPattern == x.bitPattern ? n : nil
    }

    /// The value stored as `n` at exponent `e`.
    @inline(__always) static func value(_ n: Int64, exponent e: Int) -> Double { Double(n) / exactPowersOfTen[e] }

    /// The smallest exponent at which every one of the `k` values is an exact
    /// decimal, with the minimum scaled value and the bit width of the offsets
    /// from it; nil when there is none. `scaled` receives each value's integer
    /// at that exponent, for the encoder to pack.
    ///
    /// One pass raises the exponent as values need it, then a second pass
    /// checks every value at the final exponent (a value exact at a smaller
    /// exponent is almost always exact at a larger one, but only the check says so).
    static func analyze(count k: Int, into scaledValues: inout [Int64], value: (Int) -> Double)
        -> (exponent: Int, min: Int64, width: Int)? {
        scaledValues.removeAll(keepingCapacity: true)
        guard k > 0 else { return nil }
        var e = 0
        for i in 0..<k {
            let x = value(i)
            while scaled(x, exponent: e) == nil {
                e += 1
                if e > maxExponent { return nil }
            }
        }
        var lo = Int64.max, hi = Int64.min
        scaledValues.reserveCapacity(k)
        for i in 0..<k {
            guard let n = scaled(value(i), exponent: e) else { return nil }
            lo = min(lo, n)
            hi = max(hi, n)
            scaledValues.append(n)
        }
        return (e, lo, BitPacking.width(UInt64(bitPattern: hi &- lo)))
    }
}
