// The Thrift compact protocol, reading side, for untrusted Parquet footers and page headers.
//
// Design note. Every count and length is checked against the bytes that remain before
// anything is allocated, nesting is limited, and a field of an unknown id is skipped by its
// type, as Thrift readers must (writers add fields over time). Errors carry the byte offset.

/// A malformed Thrift structure: what, and at which byte.
public struct ThriftError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What is wrong.
    public var message: String
    /// The byte offset in the buffer being read (plus its base offset in the file).
    public var offset: Int
    /// `message at byte offset`.
    public var description: String { "\(message) at byte \(offset)" }
}

/// Reads Thrift compact-protocol bytes.
struct ThriftCompactReader {
    let bytes: [UInt8]
    /// Where `bytes` starts in the file, for error offsets.
    let base: Int
    private(set) var position: Int
    private var lastField: [Int16] = [0]
    /// Structs nested deeper than this are refused (Parquet's go a few levels deep).
    static let maxDepth = 64

    init(_ bytes: [UInt8], base: Int = 0, at position: Int = 0) {
        self.bytes = bytes
        self.base = base
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    func fail(_ message: String, at: Int? = nil) -> ThriftError { ThriftError(message: message, offset: base + (at ?? position)) }

    mutating func byte() throws(ThriftError) -> UInt8 {
        guard position < bytes.count else { throw fail("truncated Thrift data") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws(ThriftError) -> UInt64 {
        let start = position
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64, shift < 63 || b <= 1 else { throw fail("a varint over 64 bits", at: start) }
            v |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return v }
            shift += 7
        }
    }

    static func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1))) }

    mutating func i64() throws(ThriftError) -> Int64 { Self.unzigzag(try varint()) }

    mutating func i32() throws(ThriftError) -> Int32 {
        let at = position
        let v = try i64()
        guard let x = Int32(exactly: v) else { throw fail("an i32 out of range", at: at) }
        return x
    }

    mutating func double() throws(ThriftError) -> Double {
        guard remaining >= 8 else { throw fail("truncated double") }
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(bytes[position + k]) << (8 * UInt64(k)) }
        position += 8
        return Double(bitPattern: v)
    }

    /// A length-prefixed byte string, its length checked against what remains.
    mutating func binary(limit: Int = 1 << 30) throws(ThriftError) -> [UInt8] {
        let at = position
        let n = try varint()
        guard n <= UInt64(remaining), n <= UInt64(limit) else { throw fail("a string of \(n) bytes past the end of the data", at: at) }
        defer { position += Int(n) }
        return Array(bytes[position..<(position + Int(n))])
    }

    mutating func string() throws(ThriftError) -> String {
        let at = position
        let b = try binary()
        guard let s = String(validating: b, as: UTF8.self) else { throw fail("a string that is not UTF-8", at: at) }
        return s
    }

    /// The next field's id and type, or nil at the struct's stop byte.
    mutating func field() throws(ThriftError) -> (id: Int16, type: ThriftType)? {
        let at = position
        let b = try byte()
        guard b != 0 else { return nil }
        guard let type = ThriftType(rawValue: b & 0x0F), type != .stop else { throw fail("an unknown field type \(b & 0x0F)", at: at) }
        let delta = Int(b >> 4)
        let id: Int16
        if delta != 0 {
            let next = Int(lastField[lastField.count - 1]) + delta
            guard next <= Int(Int16.max) else { throw fail("a field id out of range", at: at) }
            id = Int16(next)
        } else {
            let v = try i64()
            guard let x = Int16(exactly: v) else { throw fail("a field id out of range", at: at) }
            id = x
        }
        lastField[lastField.count - 1] = id
        return (id, type)
    }

    /// Reads a struct: `body` is called for each field and must consume it (or call `skip`).
    mutating func structure(_ body: (inout ThriftCompactReader, Int16, ThriftType) throws(ThriftError) -> Void) throws(ThriftError) {
        guard lastField.count <= Self.maxDepth else { throw fail("structures nested over \(Self.maxDepth) deep") }
        lastField.append(0)
        while let (id, type) = try field() { try body(&self, id, type) }
        lastField.removeLast()
    }

    /// A list header: element type and count, the count checked against the bytes left
    /// (every element takes at least one byte, except booleans packed in field headers, which lists never use).
    mutating func list() throws(ThriftError) -> (type: ThriftType, count: Int) {
        let at = position
        let b = try byte()
        guard let type = ThriftType(rawValue: b & 0x0F), type != .stop else { throw fail("an unknown list element type", at: at) }
        var count = Int(b >> 4)
        if count == 15 {
            let n = try varint()
            guard n <= UInt64(remaining) else { throw fail("a list of \(n) elements past the end of the data", at: at) }
            count = Int(n)
        }
        guard count <= remaining else { throw fail("a list of \(count) elements past the end of the data", at: at) }
        return (type, count)
    }

    /// A list of structs (`what` names it in the error when the elements are not structs):
    /// `element` is called once per element and must consume it.
    mutating func structList(_ what: String, _ element: (inout ThriftCompactReader) throws(ThriftError) -> Void) throws(ThriftError) {
        let (type, count) = try list()
        guard type == .structure else { throw fail("\(what) that are not structs") }
        for _ in 0..<count { try element(&self) }
    }

    /// A boolean field's value, which the compact protocol keeps in the field's type.
    func bool(_ type: ThriftType) throws(ThriftError) -> Bool {
        switch type {
        case .boolTrue: return true
        case .boolFalse: return false
        default: throw fail("a boolean field of type \(type)")
        }
    }

    /// Skips a value of `type` (a field this reader does not use).
    mutating func skip(_ type: ThriftType, depth: Int = 0) throws(ThriftError) {
        guard depth <= Self.maxDepth else { throw fail("values nested over \(Self.maxDepth) deep") }
        switch type {
        case .stop: throw fail("a stop where a value should be")
        case .boolTrue, .boolFalse: break
        case .i8: _ = try byte()
        case .i16, .i32, .i64: _ = try varint()
        case .double: _ = try double()
        case .binary: _ = try binary()
        case .list, .set:
            let (element, count) = try list()
            for _ in 0..<count {
                if element == .boolTrue || element == .boolFalse { _ = try byte() } else { try skip(element, depth: depth + 1) }
            }
        case .map:
            let at = position
            let n = try varint()
            guard n <= UInt64(remaining) else { throw fail("a map of \(n) entries past the end of the data", at: at) }
            if n > 0 {
                let kinds = try byte()
                guard let k = ThriftType(rawValue: kinds >> 4), let v = ThriftType(rawValue: kinds & 0x0F) else { throw fail("an unknown map type") }
                for _ in 0..<n {
                    try skip(k, depth: depth + 1)
                    try skip(v, depth: depth + 1)
                }
            }
        case .structure:
            guard lastField.count <= Self.maxDepth else { throw fail("structures nested over \(Self.maxDepth) deep") }
            lastField.append(0)
            while let (_, t) = try field() { try skip(t, depth: depth + 1) }
            lastField.removeLast()
        }
    }
}
