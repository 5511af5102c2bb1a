#if canImport(Glibc)
import Glibc
#endif

/// The object paths seen so far in a JSON input, as a trie of keys.
///
/// Node 0 is the record itself and node 1 stands for a non-object row of a
/// top-level array (its column is called `value`). Every other node is a key
/// under a parent node; keys are compared as bytes (after unescaping), so keys
/// that are equal only under Unicode normalization stay apart. A node may have
/// a column (when a scalar, an array or a cut-off object was seen there) and
/// children (when an object was seen there) at the same time.
///
/// Lookups first try a hint: the key that followed the previous key of the
/// same object last time (or the first key of the parent). Records of one
/// input usually repeat their key order, so most keys are found with one
/// comparison and no hashing.
struct JSONPathTable {
    static let root: Int32 = 0
    static let value: Int32 = 1

    private(set) var parent: [Int32] = [-1, 0]
    private var keyStart: [Int] = [0, 0]
    private var keyLength: [Int] = [0, 0]
    private var keys: [UInt8] = []
    private var hashes: [UInt64] = [0, 0]
    /// The column of each node, or -1.
    var column: [Int32] = [-1, -1]
    /// Each node's latest occurrence in the record being parsed.
    var occurrence: [Occurrence] = [Occurrence(), Occurrence()]

    /// Where a node was last set: one element, so setting it is one array access.
    struct Occurrence {
        /// The parse attempt that last set this node (duplicate-key detection).
        var stamp: UInt32 = 0
        /// The entries set under this occurrence: `entryStart..<entryEnd` (so a repeated key
        /// replaces them without scanning the whole record).
        var entryStart = 0
        var entryEnd = 0
    }
    private var firstChildHint: [Int32] = [-1, -1]
    private var nextSiblingHint: [Int32] = [-1, -1]
    private var slots = [Int32](repeating: -1, count: 1024)

    var count: Int { parent.count }

    /// The node for `key` under `parent`, created if new. `previous` is the
    /// node of the previous key in the same object, or -1 for the first key.
    mutating func child(of parent: Int32, key: UnsafeRawBufferPointer, previous: Int32) -> Int32 {
        let hint = previous < 0 ? firstChildHint[Int(parent)] : nextSiblingHint[Int(previous)]
        if hint >= 0 && self.parent[Int(hint)] == parent && keyEquals(hint, key) { return hint }
        let node = lookup(parent: parent, key: key)
        if previous < 0 { firstChildHint[Int(parent)] = node } else { nextSiblingHint[Int(previous)] = node }
        return node
    }

    private func keyEquals(_ node: Int32, _ key: UnsafeRawBufferPointer) -> Bool {
        let n = Int(node)
        guard keyLength[n] == key.count else { return false }
        if key.isEmpty { return true }
        return keys.withUnsafeBytes { k in
            guard let stored = k.baseAddress, let given = key.baseAddress else { return false }
            return memcmp(stored + keyStart[n], given, key.count) == 0
        }
    }

    private static func hash(parent: Int32, key: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(UInt32(bitPattern: parent))
        for b in key { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    private mutating func lookup(parent: Int32, key: UnsafeRawBufferPointer) -> Int32 {
        let h = Self.hash(parent: parent, key: key)
        var mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let node = slots[i]
            if node < 0 { break }
            if hashes[Int(node)] == h && self.parent[Int(node)] == parent && keyEquals(node, key) { return node }
            i = (i + 1) & mask
        }
        let node = Int32(self.parent.count)
        self.parent.append(parent)
        keyStart.append(keys.count)
        keyLength.append(key.count)
        keys.append(contentsOf: key)
        hashes.append(h)
        column.append(-1)
        occurrence.append(Occurrence())
        firstChildHint.append(-1)
        nextSiblingHint.append(-1)
        slots[i] = node
        if self.parent.count * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            mask = slots.count - 1
            for n in 2..<self.parent.count {
                var j = Int(truncatingIfNeeded: hashes[n]) & mask
                while slots[j] >= 0 { j = (j + 1) & mask }
                slots[j] = Int32(n)
            }
        }
        return node
    }

    /// The node for the keys `segments` under the record, created if new (the parallel reader
    /// finds a slice's column among the input's).
    mutating func node(for segments: [[UInt8]]) -> Int32 {
        var node = Self.root
        for key in segments {
            node = key.withUnsafeBytes { child(of: node, key: $0, previous: -1) }
        }
        return node
    }

    /// True when `node` is `ancestor` or lies below it.
    func isWithin(_ node: Int32, _ ancestor: Int32) -> Bool {
        var n = node
        while n >= 0 {
            if n == ancestor { return true }
            n = parent[Int(n)]
        }
        return false
    }

    /// The keys from the record down to `node` (empty for the record; ["value"] for the value node).
    func segments(_ node: Int32) -> [[UInt8]] {
        if node == Self.value { return [Array("value".utf8)] }
        var out: [[UInt8]] = []
        var n = Int(node)
        while n > 1 {
            out.append(Array(keys[keyStart[n]..<(keyStart[n] + keyLength[n])]))
            n = Int(parent[n])
        }
        return out.reversed()
    }

    /// The node's path as an RFC 6901 JSON Pointer (`/geo/lat`; `~` and `/` in keys escaped as `~0` and `~1`).
    func pointer(_ node: Int32) -> String {
        if node == Self.value { return "" }
        var out: [UInt8] = []
        for segment in segments(node) {
            out.append(UInt8(ascii: "/"))
            for b in segment {
                switch b {
                case UInt8(ascii: "~"): out += [UInt8(ascii: "~"), UInt8(ascii: "0")]
                case UInt8(ascii: "/"): out += [UInt8(ascii: "~"), UInt8(ascii: "1")]
                default: out.append(b)
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
