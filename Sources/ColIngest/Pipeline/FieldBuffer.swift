import ColFormat

// # Field buffer
//
// The raw fields of one column of one chunk, as the CSV and JSON readers append them:
// bytes, end offsets, a validity bitmap and a one-byte tag per field (the CSV
// reader's candidate types, RawColumn; the JSON reader's JSONKind) in four growable blocks of
// memory. Appending a field is a capacity check and a copy, with none of the
// per-call uniqueness and capacity bookkeeping of three Swift arrays (that
// cost 190 instructions per field, 9% of a conversion, in callgrind). The
// buffer belongs to one `RawColumn` or `JSONRawColumn`, which belongs to one chunk, and a chunk
// is handed between threads, never shared: so the class is a reference
// without locks. `vector()` copies the fields out as a `ColumnVector` once per chunk.

final class FieldBuffer: @unchecked Sendable {
    private var bytes: UnsafeMutableRawPointer
    private var byteCapacity: Int
    /// Bytes used.
    private(set) var byteCount = 0
    /// `offsets[i]` is where field i starts; `offsets[count]` is `byteCount`.
    private var offsets: UnsafeMutablePointer<UInt32>
    private var validity: UnsafeMutablePointer<UInt64>
    /// `tags[i]` is the caller's byte for field i (RawColumn's candidate-type bits).
    private var tags: UnsafeMutablePointer<UInt8>
    private var rowCapacity: Int
    /// Fields appended (null ones included).
    private(set) var count = 0
    private(set) var nullCount = 0

    init(rows: Int = 64, bytes byteCapacity: Int = 1 << 10) {
        rowCapacity = max(rows, 64)
        self.byteCapacity = max(byteCapacity, 64)
        bytes = UnsafeMutableRawPointer.allocate(byteCount: self.byteCapacity, alignment: 16)
        offsets = .allocate(capacity: rowCapacity + 1)
        offsets[0] = 0
        validity = .allocate(capacity: rowCapacity / 64 + 1)
        validity.initialize(repeating: 0, count: rowCapacity / 64 + 1)
        tags = .allocate(capacity: rowCapacity)
    }

    deinit {
        bytes.deallocate()
        offsets.deallocate()
        validity.deallocate()
        tags.deallocate()
    }

    /// Empties the buffer, keeping its memory.
    func removeAll() {
        validity.update(repeating: 0, count: count / 64 + 1)
        count = 0
        nullCount = 0
        byteCount = 0
    }

    /// Makes room for `rows` fields and `bytes` bytes in all without growing again.
    func reserve(rows: Int, bytes: Int = 0) {
        if rows > rowCapacity { resizeRows(to: rows) }
        if bytes > byteCapacity { resizeBytes(to: bytes) }
    }

    @inline(__always) func append(_ p: UnsafeRawBufferPointer, tag: UInt8) {
        let n = p.count
        if byteCount + n > byteCapacity { growBytes(to: byteCount + n) }
        if n > 0, let source = p.baseAddress { (bytes + byteCount).copyMemory(from: source, byteCount: n) }
        byteCount += n
        if count == rowCapacity { growRows(to: count + 1) }
        validity[count >> 6] |= 1 << UInt64(count & 63)
        tags[count] = tag
        count += 1
        offsets[count] = UInt32(truncatingIfNeeded: byteCount)
    }

    @inline(__always) func appendNull(tag: UInt8) {
        if count == rowCapacity { growRows(to: count + 1) }
        tags[count] = tag
        count += 1
        nullCount += 1
        offsets[count] = UInt32(truncatingIfNeeded: byteCount)
    }

    @inline(__always) func isValid(_ i: Int) -> Bool { validity[i >> 6] & (1 << UInt64(i & 63)) != 0 }

    /// The tag of field `i`.
    @inline(__always) func tag(_ i: Int) -> UInt8 { tags[i] }

    /// Appends the fields `range` of `other`, with their tags (the parallel CSV reader joins
    /// the pieces its slices parsed into chunks).
    func append(contentsOf other: FieldBuffer, range: Range<Int>) {
        guard !range.isEmpty else { return }
        let first = Int(other.offsets[range.lowerBound]), last = Int(other.offsets[range.upperBound])
        let n = last - first
        if byteCount + n > byteCapacity { growBytes(to: byteCount + n) }
        if count + range.count > rowCapacity { growRows(to: count + range.count) }
        if n > 0 { (bytes + byteCount).copyMemory(from: other.bytes + first, byteCount: n) }
        (tags + count).update(from: other.tags + range.lowerBound, count: range.count)
        let shift = UInt32(truncatingIfNeeded: byteCount &- first)
        var row = count
        for i in range {
            if other.isValid(i) { validity[row >> 6] |= 1 << UInt64(row & 63) } else { nullCount += 1 }
            row += 1
            offsets[row] = other.offsets[i + 1] &+ shift
        }
        count = row
        byteCount += n
    }

    /// The bytes of field `i` (empty for a null), valid until the next append or reset.
    @inline(__always) func field(_ i: Int) -> UnsafeRawBufferPointer {
        let start = Int(offsets[i])
        return UnsafeRawBufferPointer(start: bytes + start, count: Int(offsets[i + 1]) - start)
    }

    /// The fields as a string (or json) column.
    func vector(type: LogicalType) -> ColumnVector {
        ColumnVector(type: type, count: count, nullCount: nullCount,
                     validityWords: Array(UnsafeBufferPointer(start: validity, count: (count + 63) / 64)),
                     offsets: Array(UnsafeBufferPointer(start: offsets, count: count + 1)),
                     bytes: Array(UnsafeRawBufferPointer(start: bytes, count: byteCount)))
    }

    /// Grows by half at least: a chunk's buffers keep their capacity when it is recycled, so
    /// slack is paid on every chunk in flight (doubling left a third of the memory unused).
    private func growBytes(to needed: Int) {
        resizeBytes(to: max(needed, byteCapacity + byteCapacity / 2))
    }

    private func resizeBytes(to capacity: Int) {
        let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        grown.copyMemory(from: bytes, byteCount: byteCount)
        bytes.deallocate()
        bytes = grown
        byteCapacity = capacity
    }

    private func growRows(to needed: Int) {
        resizeRows(to: max(needed, rowCapacity + rowCapacity / 2))
    }

    private func resizeRows(to capacity: Int) {
        let grownOffsets = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity + 1)
        grownOffsets.initialize(from: offsets, count: count + 1)
        offsets.deallocate()
        offsets = grownOffsets
        let words = rowCapacity / 64 + 1, grownWords = capacity / 64 + 1
        let grownValidity = UnsafeMutablePointer<UInt64>.allocate(capacity: grownWords)
        grownValidity.initialize(from: validity, count: words)
        (grownValidity + words).initialize(repeating: 0, count: grownWords - words)
        validity.deallocate()
        validity = grownValidity
        let grownTags = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grownTags.update(from: tags, count: count)
        tags.deallocate()
        tags = grownTags
        rowCapacity = capacity
    }
}
