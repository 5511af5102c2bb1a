#if canImport(Glibc)
import Glibc
#endif

/// A parallel reader's input buffer (CSVParallelReader, JSONRecordReader+Parallel): bytes read
/// and not yet parsed, in one block of memory that is reused from window to window.
struct WindowBuffer {
    private(set) var baseAddress: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        baseAddress = .allocate(capacity: self.capacity)
    }

    func deallocate() { baseAddress.deallocate() }

    var first: UInt8? { count > 0 ? baseAddress[0] : nil }

    subscript(i: Int) -> UInt8 { baseAddress[i] }

    /// The first index at or after `start` that holds `byte`, if any.
    func index(of byte: UInt8, from start: Int) -> Int? {
        guard start < count, let hit = memchr(baseAddress + start, Int32(byte), count - start) else { return nil }
        return baseAddress.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// A copy of the bytes `range`.
    func bytes(_ range: Range<Int>) -> [UInt8] {
        Array(UnsafeBufferPointer(start: baseAddress + range.lowerBound, count: range.count))
    }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        body(UnsafeBufferPointer(start: baseAddress, count: count))
    }

    mutating func reserve(_ needed: Int) {
        guard needed > capacity else { return }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: needed)
        grown.update(from: baseAddress, count: count)
        baseAddress.deallocate()
        baseAddress = grown
        capacity = needed
    }

    mutating func append(_ bytes: [UInt8]) {
        reserve(count + bytes.count)
        bytes.withUnsafeBufferPointer { b in
            if let from = b.baseAddress { (baseAddress + count).update(from: from, count: b.count) }
        }
        count += bytes.count
    }

    /// Drops the first `n` bytes, moving the rest to the front.
    mutating func removeFirst(_ n: Int) {
        let kept = count - n
        if kept > 0 { memmove(baseAddress, baseAddress + n, kept) }
        count = kept
    }

    /// Reads from `source` into the free space up to `limit` bytes in all; returns the bytes read (0 at the end).
    mutating func fill(from source: ByteSource, upTo limit: Int) throws(IngestError) -> Int {
        let room = min(limit, capacity) - count
        guard room > 0 else { return -1 }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: baseAddress + count, count: room))
        count += n
        return n
    }
}
