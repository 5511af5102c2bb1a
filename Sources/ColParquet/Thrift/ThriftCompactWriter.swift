// The Thrift compact protocol, writing side (Apache Thrift's "compact protocol" spec), as the
// Parquet footer and page headers use it (docs/PARQUET.md).
//
// Design note. Parquet's metadata is Thrift structs in the compact protocol. We write the
// handful of structs Parquet needs by hand instead of generating code: each struct is a
// sequence of `field(id, type)` headers and values, closed by a stop byte. Field headers
// carry the delta from the previous field id in the same struct when it fits in 4 bits,
// so a writer keeps the last id per open struct.

import ColBytes

/// Compact-protocol type codes.
enum ThriftType: UInt8 {
    case stop = 0
    case boolTrue = 1
    case boolFalse = 2
    case i8 = 3
    case i16 = 4
    case i32 = 5
    case i64 = 6
    case double = 7
    case binary = 8
    case list = 9
    case set = 10
    case map = 11
    case structure = 12
}

/// Writes Thrift compact-protocol bytes.
struct ThriftCompactWriter {
    private(set) var bytes: [UInt8] = []
    /// The last field id of each open struct.
    private var lastField: [Int16] = [0]

    init() {}

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    private mutating func fieldHeader(_ id: Int16, _ type: ThriftType) {
        let last = lastField[lastField.count - 1]
        let delta = Int(id) - Int(last)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta << 4) | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            varint(Self.zigzag(Int64(id)))
        }
        lastField[lastField.count - 1] = id
    }

    mutating func bool(_ id: Int16, _ v: Bool) { fieldHeader(id, v ? .boolTrue : .boolFalse) }

    mutating func i32(_ id: Int16, _ v: Int32) {
        fieldHeader(id, .i32)
        varint(Self.zigzag(Int64(v)))
    }

    mutating func i64(_ id: Int16, _ v: Int64) {
        fieldHeader(id, .i64)
        varint(Self.zigzag(v))
    }

    mutating func i16(_ id: Int16, _ v: Int16) {
        fieldHeader(id, .i16)
        varint(Self.zigzag(Int64(v)))
    }

    mutating func i8(_ id: Int16, _ v: Int8) {
        fieldHeader(id, .i8)
        bytes.append(UInt8(bitPattern: v))
    }

    mutating func binary(_ id: Int16, _ v: [UInt8]) {
        fieldHeader(id, .binary)
        varint(UInt64(v.count))
        bytes += v
    }

    mutating func string(_ id: Int16, _ v: String) { binary(id, Array(v.utf8)) }

    /// A struct field: `body` writes its fields; the stop byte is added.
    mutating func structure(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(id, .structure)
        structBody(body)
    }

    /// A struct's fields and its stop byte (for a top-level struct, or an element of a list).
    mutating func structBody(_ body: (inout ThriftCompactWriter) -> Void) {
        lastField.append(0)
        body(&self)
        bytes.append(ThriftType.stop.rawValue)
        lastField.removeLast()
    }

    private mutating func listHeader(_ count: Int, _ element: ThriftType) {
        if count < 15 {
            bytes.append(UInt8(count << 4) | element.rawValue)
        } else {
            bytes.append(0xF0 | element.rawValue)
            varint(UInt64(count))
        }
    }

    /// A list of structs.
    mutating func structList<T>(_ id: Int16, _ items: [T], _ body: (inout ThriftCompactWriter, T) -> Void) {
        fieldHeader(id, .list)
        listHeader(items.count, .structure)
        for item in items { structBody { body(&$0, item) } }
    }

    mutating func i32List(_ id: Int16, _ items: [Int32]) {
        fieldHeader(id, .list)
        listHeader(items.count, .i32)
        for v in items { varint(Self.zigzag(Int64(v))) }
    }

    mutating func i64List(_ id: Int16, _ items: [Int64]) {
        fieldHeader(id, .list)
        listHeader(items.count, .i64)
        for v in items { varint(Self.zigzag(v)) }
    }

    mutating func binaryList(_ id: Int16, _ items: [[UInt8]]) {
        fieldHeader(id, .list)
        listHeader(items.count, .binary)
        for v in items {
            varint(UInt64(v.count))
            bytes += v
        }
    }

    mutating func stringList(_ id: Int16, _ items: [String]) { binaryList(id, items.map { Array($0.utf8) }) }

    /// A list of booleans: one byte each, 1 for true and 2 for false (compact protocol).
    mutating func boolList(_ id: Int16, _ items: [Bool]) {
        fieldHeader(id, .list)
        listHeader(items.count, .boolTrue)
        for v in items { bytes.append(v ? 1 : 2) }
    }
}
