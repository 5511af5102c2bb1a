// HyperLogLog distinct-count sketch.
//
// Registers are bytes (precision p gives 2^p of them). The index is the top p
// bits of a 64-bit hash and the rank is one plus the number of leading zeros
// of the remaining 64-p bits. The estimate uses Ertl's improved raw estimator
// ("New cardinality estimation algorithms for HyperLogLog sketches", 2017),
// which needs no empirical bias tables and is accurate from 0 to far beyond
// 2^32 distinct values. Merging takes the register-wise maximum.

import ColBytes

/// A mergeable distinct-count estimator.
public struct HyperLogLog: Sendable, Equatable {
    /// The precision: the sketch holds `1 << precision` registers.
    public let precision: Int
    /// One byte per register.
    public internal(set) var registers: [UInt8]

    /// The default precision, 14: 16 KiB of registers, standard error 0.81%.
    public static let defaultPrecision = 14

    /// An empty sketch with 2^`precision` registers (`precision` clamped to 4...18).
    public init(precision: Int = HyperLogLog.defaultPrecision) {
        let p = min(max(precision, 4), 18)
        self.precision = p
        registers = [UInt8](repeating: 0, count: 1 << p)
    }

    /// Adds a 64-bit hash of a value.
    public mutating func add(hash: UInt64) {
        let index = Int(truncatingIfNeeded: hash >> UInt64(64 - precision))
        let rest = (hash << UInt64(precision)) | (1 << UInt64(precision - 1))
        let rank = UInt8(truncatingIfNeeded: rest.leadingZeroBitCount + 1)
        registers.withUnsafeMutableBufferPointer { r in
            if rank > r[index] { r[index] = rank }
        }
    }

    /// Folds another sketch of the same precision into this one.
    public mutating func merge(_ other: HyperLogLog) {
        guard other.precision == precision else { return }
        for i in 0..<registers.count where other.registers[i] > registers[i] {
            registers[i] = other.registers[i]
        }
    }

    /// The estimated number of distinct hashes added.
    public var estimate: Double {
        let m = Double(registers.count)
        let q = 64 - precision
        var histogram = [Int](repeating: 0, count: q + 2)
        for r in registers { histogram[min(Int(r), q + 1)] += 1 }
        if histogram[0] == registers.count { return 0 }
        var z = m * Self.tau(1 - Double(histogram[q + 1]) / m)
        for k in stride(from: q, through: 1, by: -1) {
            z = 0.5 * (z + Double(histogram[k]))
        }
        z += m * Self.sigma(Double(histogram[0]) / m)
        let alphaInf = 1 / (2 * 0.6931471805599453)
        return alphaInf * m * m / z
    }

    static func sigma(_ x0: Double) -> Double {
        if x0 == 1 { return .infinity }
        var x = x0, y = 1.0, z = x0
        while true {
            x *= x
            let next = z + x * y
            y += y
            if next == z { return z }
            z = next
        }
    }

    static func tau(_ x0: Double) -> Double {
        if x0 == 0 || x0 == 1 { return 0 }
        var x = x0, y = 1.0, z = 1 - x0
        while true {
            x = x.squareRoot()
            let previous = z
            y *= 0.5
            z -= (1 - x) * (1 - x) * y
            if z == previous { return z / 3 }
        }
    }

    /// Serializes as: precision (u8), then a form byte. Form 0 (dense): the
    /// registers run-length encoded as (varint run length, u8 value) pairs
    /// covering all registers. Form 1 (sparse): a varint count of non-zero
    /// registers, then per register (varint gap from the previous index + 1,
    /// u8 value). The writer picks the smaller form.
    public func serialize(into w: inout ByteWriter) {
        w.write(UInt8(precision))
        var runs = ByteWriter(capacity: 256)
        var i = 0
        while i < registers.count {
            let v = registers[i]
            var j = i + 1
            while j < registers.count && registers[j] == v { j += 1 }
            runs.writeVarint(j - i)
            runs.write(v)
            i = j
        }
        var sparse = ByteWriter(capacity: 256)
        var nonZero = 0
        for r in registers where r != 0 { nonZero += 1 }
        sparse.writeVarint(nonZero)
        var previous = -1
        for (index, r) in registers.enumerated() where r != 0 {
            sparse.writeVarint(index - previous)
            sparse.write(r)
            previous = index
        }
        if sparse.count < runs.count {
            w.write(UInt8(1))
            w.writeRaw(sparse.bytes)
        } else {
            w.write(UInt8(0))
            w.writeRaw(runs.bytes)
        }
    }

    /// Reads a sketch written by `serialize(into:)`, refusing bad precision or register values.
    public static func deserialize(from r: inout ByteReader) throws(BinaryDecodingError) -> HyperLogLog {
        let at = r.offset
        let p = Int(try r.readUInt8())
        guard (4...18).contains(p) else { throw .invalid("HyperLogLog precision \(p)", offset: at) }
        var h = HyperLogLog(precision: p)
        let formAt = r.offset
        switch try r.readUInt8() {
        case 0:
            var i = 0
            let total = h.registers.count
            var registers = [UInt8](repeating: 0, count: total)
            while i < total {
                let runAt = r.offset
                let run = Int(try r.readCount(limit: total - i))
                let v = try r.readUInt8()
                guard run > 0, v <= 64 - p + 1 else { throw .invalid("HyperLogLog register run", offset: runAt) }
                if run == 1 { registers[i] = v } else { for k in i..<(i + run) { registers[k] = v } }
                i += run
            }
            h.registers = registers
        case 1:
            let n = try r.readCount(limit: h.registers.count, minBytesEach: 2)
            var index = -1
            for _ in 0..<n {
                let entryAt = r.offset
                let gap = try r.readCount(limit: h.registers.count)
                let v = try r.readUInt8()
                index += gap
                guard gap > 0, index < h.registers.count, v > 0, v <= 64 - p + 1 else {
                    throw .invalid("HyperLogLog sparse register", offset: entryAt)
                }
                h.registers[index] = v
            }
        default:
            throw .invalid("HyperLogLog form", offset: formAt)
        }
        return h
    }
}
