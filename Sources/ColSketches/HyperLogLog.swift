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
///
/// A sketch starts sparse: the non-zero registers as a sorted list of
/// `index << 8 | rank`, so a column with few distinct values costs bytes, not
/// 16 KiB (a file of 100,000 columns keeps one sketch per column). Past
/// `sparseLimit` registers it turns dense, one byte per register. Both forms
/// estimate, merge and serialize the same.
public struct HyperLogLog: Sendable, Equatable {
    /// The precision: the sketch holds `1 << precision` registers.
    public let precision: Int
    /// One byte per register, or empty while the sketch is sparse.
    private var dense: [UInt8] = []
    /// The non-zero registers while sparse, sorted by index: `index << 8 | rank`.
    private var sparse: [UInt32] = []

    /// The default precision, 14: 16 KiB of registers, standard error 0.81%.
    public static let defaultPrecision = 14

    /// The register count.
    public var registerCount: Int { 1 << precision }
    /// Sparse entries kept before the registers go dense (4 bytes each: a sixteenth of the dense size in bytes).
    var sparseLimit: Int { registerCount / 16 }
    /// True while the non-zero registers are kept as a list.
    public var isSparse: Bool { dense.isEmpty }

    /// Every register, one byte each (built on demand while sparse).
    public var registers: [UInt8] {
        if !dense.isEmpty { return dense }
        var out = [UInt8](repeating: 0, count: registerCount)
        for e in sparse { out[Int(e >> 8)] = UInt8(truncatingIfNeeded: e) }
        return out
    }

    /// An empty sketch with 2^`precision` registers (`precision` clamped to 4...18).
    public init(precision: Int = HyperLogLog.defaultPrecision) {
        self.precision = min(max(precision, 4), 18)
    }

    /// Equal when every register is.
    public static func == (a: HyperLogLog, b: HyperLogLog) -> Bool {
        a.precision == b.precision && (a.isSparse && b.isSparse ? a.sparse == b.sparse : a.registers == b.registers)
    }

    /// The register a hash falls in (its top `precision` bits) and its rank there (one plus the
    /// leading zeros of the rest).
    @inline(__always) private func register(of hash: UInt64) -> (index: Int, rank: UInt8) {
        let rest = (hash << UInt64(precision)) | (1 << UInt64(precision - 1))
        return (Int(truncatingIfNeeded: hash >> UInt64(64 - precision)), UInt8(truncatingIfNeeded: rest.leadingZeroBitCount + 1))
    }

    /// Adds a 64-bit hash of a value.
    public mutating func add(hash: UInt64) {
        let (index, rank) = register(of: hash)
        raise(index, to: rank)
    }

    /// Adds 64-bit hashes of values; the same sketch as adding them one at a time, in any order.
    ///
    /// A sparse sketch takes a long batch into dense registers first, then goes back to the list
    /// if the non-zero registers still fit in it: adding one at a time goes dense exactly when
    /// more than `sparseLimit` registers are set, and inserting each into the sorted list cost
    /// O(list) a hash (a third of the wide benchmark's cycles went to it).
    public mutating func add(hashes: UnsafeBufferPointer<UInt64>) {
        let wasSparse = dense.isEmpty
        if wasSparse && hashes.count < Self.batchOverList {
            for h in hashes { add(hash: h) }
            return
        }
        var registers = wasSparse ? self.registers : dense
        dense = []
        registers.withUnsafeMutableBufferPointer { r in
            for h in hashes {
                let (index, rank) = register(of: h)
                if rank > r[index] { r[index] = rank }
            }
        }
        if wasSparse {
            var set = 0
            for rank in registers where rank != 0 { set += 1 }
            if set <= sparseLimit {
                var list: [UInt32] = []
                list.reserveCapacity(set)
                for (index, rank) in registers.enumerated() where rank != 0 { list.append(UInt32(index) << 8 | UInt32(rank)) }
                sparse = list
                return
            }
            sparse = []
        }
        dense = registers
    }

    /// The batch size from which a sparse sketch adds through dense registers.
    static let batchOverList = 64

    /// Sets register `index` to `rank` if that is higher.
    private mutating func raise(_ index: Int, to rank: UInt8) {
        if !dense.isEmpty {
            dense.withUnsafeMutableBufferPointer { r in
                if rank > r[index] { r[index] = rank }
            }
            return
        }
        let key = UInt32(index) << 8
        var lo = 0, hi = sparse.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sparse[mid] & ~0xFF < key { lo = mid + 1 } else { hi = mid }
        }
        if lo < sparse.count && sparse[lo] & ~0xFF == key {
            if rank > UInt8(truncatingIfNeeded: sparse[lo]) { sparse[lo] = key | UInt32(rank) }
            return
        }
        if sparse.count >= sparseLimit {
            densify()
            raise(index, to: rank)
            return
        }
        sparse.insert(key | UInt32(rank), at: lo)
    }

    private mutating func densify() {
        dense = registers
        sparse = []
    }

    /// Folds another sketch of the same precision into this one.
    public mutating func merge(_ other: HyperLogLog) {
        guard other.precision == precision else { return }
        if other.isSparse && isSparse {
            // Both sorted by register: one pass, keeping the higher rank of a register in both
            // (index in the high bits, rank in the low byte, so the larger entry wins).
            var merged: [UInt32] = []
            merged.reserveCapacity(sparse.count + other.sparse.count)
            var i = 0, j = 0
            let a = sparse, b = other.sparse
            while i < a.count && j < b.count {
                let ka = a[i] & ~0xFF, kb = b[j] & ~0xFF
                if ka < kb {
                    merged.append(a[i]); i += 1
                } else if kb < ka {
                    merged.append(b[j]); j += 1
                } else {
                    merged.append(max(a[i], b[j])); i += 1; j += 1
                }
            }
            merged += a[i...]
            merged += b[j...]
            sparse = merged
            // The form `raise` would have reached: dense once an entry past `sparseLimit` was added.
            if sparse.count > sparseLimit { densify() }
            return
        }
        if other.isSparse {
            for e in other.sparse { raise(Int(e >> 8), to: UInt8(truncatingIfNeeded: e)) }
            return
        }
        if isSparse { densify() }
        for i in 0..<dense.count where other.dense[i] > dense[i] {
            dense[i] = other.dense[i]
        }
    }

    /// The estimated number of distinct hashes added.
    public var estimate: Double {
        let m = Double(registerCount)
        let q = 64 - precision
        var histogram = [Int](repeating: 0, count: q + 2)
        if isSparse {
            histogram[0] = registerCount - sparse.count
            for e in sparse { histogram[min(Int(e & 0xFF), q + 1)] += 1 }
        } else {
            for r in dense { histogram[min(Int(r), q + 1)] += 1 }
        }
        if histogram[0] == registerCount { return 0 }
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
        // The non-zero registers as (index, rank), from either form.
        var entries: [(index: Int, rank: UInt8)] = []
        if isSparse {
            entries = sparse.map { (Int($0 >> 8), UInt8(truncatingIfNeeded: $0)) }
        } else {
            for (index, r) in dense.enumerated() where r != 0 { entries.append((index, r)) }
        }
        var sparseForm = ByteWriter(capacity: 256)
        sparseForm.writeVarint(entries.count)
        var previous = -1
        for e in entries {
            sparseForm.writeVarint(e.index - previous)
            sparseForm.write(e.rank)
            previous = e.index
        }
        // Dense form: (run length, value) over every register, zeros included.
        var runs = ByteWriter(capacity: 256)
        var value: UInt8 = 0, length = 0
        func extend(_ v: UInt8, _ n: Int) {
            guard n > 0 else { return }
            if v == value || length == 0 {
                value = v
                length += n
            } else {
                runs.writeVarint(length)
                runs.write(value)
                value = v
                length = n
            }
        }
        var next = 0
        for e in entries {
            extend(0, e.index - next)
            extend(e.rank, 1)
            next = e.index + 1
        }
        extend(0, registerCount - next)
        runs.writeVarint(length)
        runs.write(value)
        if sparseForm.count < runs.count {
            w.write(UInt8(1))
            w.writeRaw(sparseForm.bytes)
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
        let total = h.registerCount
        let formAt = r.offset
        switch try r.readUInt8() {
        case 0:
            var i = 0
            var registers = [UInt8](repeating: 0, count: total)
            while i < total {
                let runAt = r.offset
                let run = Int(try r.readCount(limit: total - i))
                let v = try r.readUInt8()
                guard run > 0, v <= 64 - p + 1 else { throw .invalid("HyperLogLog register run", offset: runAt) }
                if run == 1 { registers[i] = v } else { for k in i..<(i + run) { registers[k] = v } }
                i += run
            }
            h.dense = registers
        case 1:
            let n = try r.readCount(limit: total, minBytesEach: 2)
            var entries: [UInt32] = []
            entries.reserveCapacity(n)
            var index = -1
            for _ in 0..<n {
                let entryAt = r.offset
                let gap = try r.readCount(limit: total)
                let v = try r.readUInt8()
                index += gap
                guard gap > 0, index < total, v > 0, v <= 64 - p + 1 else {
                    throw .invalid("HyperLogLog sparse register", offset: entryAt)
                }
                entries.append(UInt32(index) << 8 | UInt32(v))
            }
            if n <= h.sparseLimit {
                h.sparse = entries
            } else {
                h.dense = [UInt8](repeating: 0, count: total)
                for e in entries { h.dense[Int(e >> 8)] = UInt8(truncatingIfNeeded: e) }
            }
        default:
            throw .invalid("HyperLogLog form", offset: formAt)
        }
        return h
    }
}
