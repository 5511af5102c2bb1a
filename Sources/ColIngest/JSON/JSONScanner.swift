#if canImport(Glibc)
import Glibc
#endif
import ColFormat

// # The JSON scanner
//
// A byte-level JSON reader that validates RFC 8259 strictly and turns one
// record at a time into flattened leaf values. It never builds a tree.
//
// **Buffering.** The converter keeps the input in one growable buffer and
// calls `parseRecord` with the bytes from the start of a record to the end
// of what has been read. When a record runs past the end, the scanner throws
// `.needMore`; the converter reads another block and parses the record again
// from its start. Records are small next to the 1 MiB blocks, so a restart
// costs little, and a record (not the input) is the unit of memory.
//
// **No recursion.** Nesting is tracked on explicit stacks, so the depth limit
// (default 512) is a clear error and never a stack overflow.
//
// **Flattening.** Inside a record, objects are walked key by key; a key under
// an object becomes a child node in `JSONPathTable`, so `{"geo":{"lat":1}}`
// yields the leaf `geo.lat`. Objects deeper than the flattening depth,
// arrays, and the non-object elements of a top-level array are captured as
// canonical JSON text (no insignificant whitespace, strings re-escaped
// canonically, numbers as written) and become one leaf.
//
// **Leaves.** Each leaf is an entry: a node, a kind (`JSONKind`) and a byte
// range, either in the input buffer (strings without escapes, numbers,
// literals) or in the record's scratch buffer (unescaped strings, captured
// JSON). Nothing is allocated per value. The converter copies the entries
// into columns only when the whole record parsed, so a bad record leaves no
// trace (and creates no column).
//
// **Duplicate keys.** A key repeated in one object replaces the earlier value,
// including everything below it when it was an object; the replaced leaves
// are counted. A node's stamp records the parse attempt that set it.
//
// **Errors.** A syntax error stops the record at its byte (`.syntax`). Bad
// text inside a well-formed string (invalid UTF-8, a lone surrogate escape)
// is a *soft* error: the record still parses to its end, so the converter can
// skip just that record, even inside a top-level array. Locations are byte
// offsets in the (UTF-8) input; the scanner counts lines as it skips
// whitespace, the only place a JSON text can hold a newline.

/// The kind of a flattened JSON leaf.
enum JSONKind {
    static let null: UInt8 = 0
    static let bool: UInt8 = 1
    /// An integer that fits Int64.
    static let int: UInt8 = 2
    /// A number with a fraction or exponent (or `-0`) that is a finite double.
    static let float: UInt8 = 3
    static let string: UInt8 = 4
    /// An array or an object kept whole, as canonical JSON text.
    static let json: UInt8 = 5
    /// A number that neither fits Int64 nor a finite double; kept as written.
    static let bigNumber: UInt8 = 6
    /// A leaf replaced by a later duplicate key.
    static let removed: UInt8 = 0xFF
}

/// Why a record did not parse.
enum JSONFailure: Error {
    /// The buffer ends inside the record and more input may follow.
    case needMore
    /// A syntax error at a buffer offset.
    case syntax(at: Int, IngestMessage)
}

/// Parses JSON records in a buffer into flattened leaves (see the design note above).
struct JSONScanner {
    // Settings.
    let maxNesting: Int
    /// Objects at this nesting depth or deeper are kept whole (0: flatten everything).
    let flattenDepth: Int
    let replaceInvalidUTF8: Bool

    var paths = JSONPathTable()

    // The buffer of the current attempt.
    var p: UnsafePointer<UInt8> = JSONScanner.placeholder
    var n = 0
    var final = false
    /// The read position.
    var i = 0
    /// The line of position `i` (1-based), and the buffer offset where that line starts (may be negative).
    var line = 1
    var lineStart = 0

    /// The leaves of the current record, in order: one array, so a leaf is one append.
    var entries: [JSONEntry] = []
    var scratch: [UInt8] = []
    /// Leaves replaced by a duplicate key in the current record (their nodes).
    var replaced: [Int32] = []
    /// The first soft error of the current record: buffer offset, line, column and message.
    var softError: (at: Int, line: Int, column: Int, message: IngestMessage)?
    /// Where the current record starts: buffer offset and line.
    var recordStart = 0
    var recordLine = 1
    var attempt: UInt32 = 0

    var containers: [UInt8] = []
    var objects: [(node: Int32, previous: Int32)] = []
    var keyScratch: [UInt8] = []

    /// Where `p` points before the first `begin` (never read: `n` is 0).
    nonisolated(unsafe) private static let placeholder: UnsafePointer<UInt8> = {
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        bytes.initialize(to: 0)
        return UnsafePointer(bytes)
    }()
    /// The nesting depth of a record's own value: 1 inside a top-level array, else 0.
    var baseDepth = 0

    init(maxNesting: Int, flattenDepth: Int, replaceInvalidUTF8: Bool) {
        self.maxNesting = maxNesting
        self.flattenDepth = flattenDepth
        self.replaceInvalidUTF8 = replaceInvalidUTF8
    }

    /// Points the scanner at `buffer` (valid until the next call) from offset `at`.
    mutating func begin(_ buffer: UnsafeBufferPointer<UInt8>, at: Int, final: Bool) {
        if let base = buffer.baseAddress { p = base }
        n = buffer.count
        self.final = final
        i = at
    }

    // MARK: - Primitives

    @inline(__always) func fail(_ message: IngestMessage) -> JSONFailure {
        .syntax(at: i, message)
    }

    /// More input is needed at position `i`, or the input ended there.
    @inline(__always) func endOfInput(_ what: String) -> JSONFailure {
        final ? .syntax(at: i, "unexpected end of input \(what)") : .needMore
    }

    /// Skips JSON whitespace, counting lines.
    @inline(__always) mutating func skipWhitespace() {
        while i < n {
            let b = p[i]
            if b == 0x20 || b == 0x09 || b == 0x0D {
                i += 1
            } else if b == 0x0A {
                i += 1
                line += 1
                lineStart = i
            } else {
                return
            }
        }
    }

    /// The byte at `i` after whitespace, or a failure at the end of the buffer.
    @inline(__always) mutating func peekToken(_ what: String) throws(JSONFailure) -> UInt8 {
        skipWhitespace()
        guard i < n else { throw endOfInput(what) }
        return p[i]
    }

    /// Whether the buffer is exhausted at `i` and no more input follows.
    var atEnd: Bool { i >= n && final }
    /// Whether the buffer is exhausted at `i` (more input may follow).
    var atBufferEnd: Bool { i >= n }
    /// The byte at `i` (the caller checks `atBufferEnd`).
    var current: UInt8 { p[i] }

    static func describe(_ b: UInt8) -> String {
        switch b {
        case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(b)))'"
        default: return "byte 0x\(String(b, radix: 16, uppercase: true))"
        }
    }

    // MARK: - Records

    /// Parses one record starting at `i` (after whitespace): an object is
    /// flattened; any other value becomes a leaf of the `value` node when
    /// `allowValue`, else it is refused as not a record.
    mutating func parseRecord(allowValue: Bool) throws(JSONFailure) {
        attempt &+= 1
        entries.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        replaced.removeAll(keepingCapacity: true)
        softError = nil
        let b = try peekToken("where a record should start")
        recordStart = i
        recordLine = line
        if b == UInt8(ascii: "{") {
            try parseObject()
        } else if allowValue {
            try leaf(JSONPathTable.value, depth: baseDepth)
        } else {
            let what = b == UInt8(ascii: "[") ? "an array" : b == UInt8(ascii: "\"") ? "a string" : "a scalar"
            throw fail("expected an object (one record per line), found \(what)")
        }
    }

    /// Flattens the object at `i` into leaves.
    mutating func parseObject() throws(JSONFailure) {
        objects.removeAll(keepingCapacity: true)
        objects.append((JSONPathTable.root, -1))
        i += 1
        var b = try peekToken("inside an object")
        if b == UInt8(ascii: "}") { i += 1; return }
        while true {
            // A key.
            guard b == UInt8(ascii: "\"") else { throw fail("expected a string key, found \(Self.describe(b))") }
            let (parent, previous) = objects[objects.count - 1]
            let node = try key(under: parent, previous: previous)
            objects[objects.count - 1].previous = node
            b = try peekToken("after a key")
            guard b == UInt8(ascii: ":") else { throw fail("expected ':' after a key, found \(Self.describe(b))") }
            i += 1
            b = try peekToken("where a value should be")
            claim(node)
            let depth = objects.count + baseDepth
            if b == UInt8(ascii: "{") && (flattenDepth == 0 || objects.count < flattenDepth) {
                guard depth < maxNesting else { throw fail("nesting deeper than \(maxNesting) levels (\(setting: .maxNesting))") }
                objects.append((node, -1))
                i += 1
                b = try peekToken("inside an object")
                if b != UInt8(ascii: "}") { continue }
                // An empty object: no leaves.
            } else {
                try leaf(node, depth: depth)
                paths.occurrence[Int(node)].entryEnd = entries.count
                b = try peekToken("after a value")
            }
            // After a value: ',' or '}' (closing as many objects as end here).
            while true {
                if b == UInt8(ascii: ",") {
                    i += 1
                    b = try peekToken("after ','")
                    break
                }
                guard b == UInt8(ascii: "}") else { throw fail("expected ',' or '}' after a value in an object, found \(Self.describe(b))") }
                i += 1
                paths.occurrence[Int(objects[objects.count - 1].0)].entryEnd = entries.count
                objects.removeLast()
                if objects.isEmpty { return }
                b = try peekToken("after a value")
            }
        }
    }

    /// Marks `node` as set in this record; a repeat replaces what was set under it.
    ///
    /// Only the entries of the node's previous occurrence are visited, so each entry
    /// is visited at most once per enclosing key: linear in the record, not quadratic.
    mutating func claim(_ node: Int32) {
        let k = Int(node)
        let last = paths.occurrence[k]
        if last.stamp == attempt {
            let range = last.entryStart..<min(max(last.entryEnd, last.entryStart), entries.count)
            for e in range where entries[e].kind != JSONKind.removed && paths.isWithin(entries[e].node, node) {
                entries[e].kind = JSONKind.removed
                replaced.append(entries[e].node)
                // Let the keys between the replaced leaf and `node` be set again.
                var n = entries[e].node
                while n != node && n >= 0 {
                    paths.occurrence[Int(n)].stamp = 0
                    n = paths.parent[Int(n)]
                }
            }
        }
        paths.occurrence[k] = JSONPathTable.Occurrence(stamp: attempt, entryStart: entries.count, entryEnd: entries.count)
    }

    /// Reads the key string at `i` and returns its node under `parent`.
    mutating func key(under parent: Int32, previous: Int32) throws(JSONFailure) -> Int32 {
        let (start, end, inScratch) = try scanString()
        guard inScratch else {
            return paths.child(of: parent, key: UnsafeRawBufferPointer(start: p + start, count: end - start), previous: previous)
        }
        keyScratch.removeAll(keepingCapacity: true)
        keyScratch.append(contentsOf: scratch[start..<end])
        scratch.removeSubrange(start...)
        return keyScratch.withUnsafeBytes { paths.child(of: parent, key: $0, previous: previous) }
    }

    /// Reads the value at `i` as one leaf of `node`.
    mutating func leaf(_ node: Int32, depth: Int) throws(JSONFailure) {
        let b = p[i]
        var kind: UInt8
        var start = i
        var end: Int
        var inScratch = false
        switch b {
        case UInt8(ascii: "\""):
            kind = JSONKind.string
            (start, end, inScratch) = try scanString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            kind = try scanNumber()
            end = i
        case UInt8(ascii: "t"):
            try literal("true")
            kind = JSONKind.bool
            end = i
        case UInt8(ascii: "f"):
            try literal("false")
            kind = JSONKind.bool
            end = i
        case UInt8(ascii: "n"):
            try literal("null")
            kind = JSONKind.null
            end = i
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            kind = JSONKind.json
            start = scratch.count
            try capture(depth: depth)
            end = scratch.count
            inScratch = true
        default:
            throw fail("expected a value, found \(Self.describe(b))")
        }
        entries.append(JSONEntry(node: node, kind: kind, inScratch: inScratch, start: start, end: end))
    }

    /// Appends the record's leaves to their columns (every leaf's node has a
    /// column by now) and stamps each column set with `record`.
    /// Mutating only so the reader calls it in place: a non-mutating call on the reader's stored
    /// scanner copies the whole scanner first, a retain of each of its arrays per record.
    mutating func commit(into columns: inout [JSONRawColumn], stamps: inout [Int], record: Int) {
        scratch.withUnsafeBytes { s in
            for entry in entries where entry.kind != JSONKind.removed {
                let col = Int(paths.column[Int(entry.node)])
                let bytes = entry.inScratch ? UnsafeRawBufferPointer(rebasing: s[entry.start..<entry.end])
                    : UnsafeRawBufferPointer(start: p + entry.start, count: entry.end - entry.start)
                columns[col].append(kind: entry.kind, bytes)
                stamps[col] = record
            }
        }
    }

}

/// One leaf of a record: its path node, its JSON kind, and where its bytes are (in the input
/// buffer, or in the scanner's scratch when unescaped or captured).
struct JSONEntry {
    var node: Int32
    var kind: UInt8
    var inScratch: Bool
    var start: Int
    var end: Int
}

func hex4(_ v: UInt32) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
}
